# bash completion for routehubctl. The candidates come from routehubctl itself
# (`routehubctl --complete WORDS...`, from its grammar table), so they follow its commands;
# neighbour addresses come from the running control plane when it answers.
_routehubctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} out
	local IFS=$'\n'
	out=$("${COMP_WORDS[0]}" --complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
	if [[ $out == @file ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$out" -- "$cur"))
	fi
}
complete -F _routehubctl routehubctl

#!/usr/bin/env bash
# ADD-PATH send (RFC 7911) over IPv6: test_bgp_addpath.sh with the IPv6 instances, peers
# and prefix (path ids in MP_REACH_NLRI and MP_UNREACH_NLRI).
ADDPATH_FAMILY=6 exec bash "$(cd "$(dirname "$0")" && pwd)/test_bgp_addpath.sh"

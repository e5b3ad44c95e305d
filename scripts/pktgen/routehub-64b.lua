-- pktgen-dpdk profile: 64-byte IPv4/UDP frames toward routehub's first port, with
-- destinations walking a range inside the routes the hub holds, for a fixed time; prints
-- the rates pktgen saw on both ports. Edit the four values below for your lab.
--   pktgen -l 0-4 -n 4 -a <tx pci> -a <rx pci> -- -P -m "[1:2].0,[3:4].1" -f routehub-64b.lua
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local hub_mac   = "02:00:00:00:00:01"   -- routehub's port facing the generator
local src_ip    = "198.18.0.2/24"       -- the generator, on that port's subnet
local dst_first = "198.19.0.1"          -- first destination (inside a routed prefix)
local dst_last  = "198.19.255.254"      -- last destination
local seconds   = 30

pktgen.reset("all")
pktgen.set_mac("0", "dst", hub_mac)
pktgen.set_ipaddr("0", "src", src_ip)
pktgen.set_proto("0", "udp")
pktgen.set("0", "size", 64)
pktgen.set("0", "sport", 1024)
pktgen.set("0", "dport", 9)
pktgen.set("0", "rate", 100)

-- Spread destinations (and so LPM lookups and RSS queues) over the range.
pktgen.range.dst_mac("0", "start", hub_mac)
pktgen.range.dst_ip("0", "start", dst_first)
pktgen.range.dst_ip("0", "inc", "0.0.1.1")
pktgen.range.dst_ip("0", "min", dst_first)
pktgen.range.dst_ip("0", "max", dst_last)
pktgen.range.src_port("0", "start", 1024)
pktgen.range.src_port("0", "inc", 1)
pktgen.range.src_port("0", "min", 1024)
pktgen.range.src_port("0", "max", 65000)
pktgen.range.pkt_size("0", "start", 64)
pktgen.range.pkt_size("0", "inc", 0)
pktgen.range.pkt_size("0", "min", 64)
pktgen.range.pkt_size("0", "max", 64)
pktgen.set_range("0", "on")

pktgen.clear("all")
pktgen.start("0")
pktgen.delay(seconds * 1000)
pktgen.stop("0")
pktgen.delay(1000)

local tx = pktgen.portStats("0", "port")[0]
local rx = pktgen.portStats("1", "port")[1]
printf("sent %d packets, received %d (%.2f %% through routehub)\n", tx.opackets, rx.ipackets,
       tx.opackets > 0 and 100.0 * rx.ipackets / tx.opackets or 0)
printf("average rate: %.2f Mpps\n", rx.ipackets / seconds / 1e6)

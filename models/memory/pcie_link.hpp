#pragma once
// A PCIe link between a device (GPU, accelerator) and the host, full duplex: the down wire carries the
// device's TLPs to the host (posted memory writes, read requests), the up wire the host's (read
// completions with data). Each TLP pays framing, sequence number, header and LCRC on the wire; the
// receiver acknowledges TLPs with ACK DLLPs and returns flow-control credits with UpdateFC DLLPs on the
// opposite wire. The device's writes wait for posted credits (header and 16-byte data credits), its reads
// for a free tag (outstanding reads) and a non-posted header credit; a read's data comes back as
// completions of at most max_payload bytes.
//
// Detailed mode: TLP by TLP, the wires as serial resources, credits and tags as counters that DLLPs and
// completions replenish at their arrival times. Fast mode: separate closed form (payload efficiency,
// credit- and tag-limited rates, latency), measured against it (tests/memory, docs/memory.md).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <systemc>

#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::memory {

struct PcieSpec {
  int generation = 3;  // 1..5: 2.5, 5, 8, 16, 32 GT/s per lane
  int lanes = 16;
  std::int64_t max_payload = 256;       // MPS, bytes per write or completion TLP
  std::int64_t max_read_request = 512;  // MRRS, bytes one read request asks for
  std::int64_t tlp_overhead = 24;       // framing 2 + sequence 2 + 4DW header 16 + LCRC 4
  std::int64_t dllp_bytes = 8;          // 6-byte DLLP + 2 bytes framing
  int ack_every = 4;                    // TLPs one ACK DLLP acknowledges
  double latency_ns = 500;              // one way: PHY, switch, root complex, host memory
  int posted_header_credits = 64;       // the host's receive buffer for writes
  int posted_data_credits = 1024;       // in 16-byte units (16 KB)
  int nonposted_header_credits = 64;    // for read requests
  int read_tags = 64;                   // the device's outstanding reads
  double gtps() const;                  // per lane
  double encoding() const;              // 8b/10b (gen 1-2) or 128b/130b (gen 3-5)
  double bytes_per_ns() const;          // one direction, after line encoding
  std::uint64_t tlps(std::uint64_t bytes, std::int64_t unit) const { return (bytes + unit - 1) / unit; }
};

// "" if sound, else "field: reason".
std::string check_pcie_spec(const PcieSpec& s);

// The energy-table action one byte on the wire of a link of this generation charges ("pcie_gen3_byte"):
// the SerDes energy per bit depends on the signalling rate (docs/energy.md).
std::string pcie_energy_action(int generation);

class PcieLink : public sc_core::sc_module {
 public:
  // `sim_ns_per_ns`: simulated ns per real ns (a model counting cycles of a clock_ghz clock passes it).
  // `block` names its counters' StatGroup in reports.
  PcieLink(sc_core::sc_module_name name, const PcieSpec& spec, TimingMode mode, double sim_ns_per_ns = 1.0,
           const std::string& block = "pcie");
  // Posted writes of `bytes` from the device to host memory. Returns once the last TLP has left the down
  // wire (so a caller can pipeline the next transfer) with the time the last one reaches the host.
  sc_core::sc_time write(std::uint64_t bytes);
  // A device read of `bytes` from host memory. Returns once the last read request has left the down wire,
  // with the time the last byte of data arrives at the device.
  sc_core::sc_time read(std::uint64_t bytes);
  const PcieSpec& spec() const { return spec_; }

  StatGroup stats;

 private:
  struct Return {  // credits or a tag that come back at a time
    double at = 0;
    int headers = 0, data = 0;
  };
  double now_ns() const;
  sc_core::sc_time time_of(double ns) const;
  // Detailed mode helpers.
  double send(double ready, std::uint64_t wire_bytes, double& wire_free);  // serialises, returns the end
  void wait_until(double ns);
  void collect(std::deque<Return>& q, double now, int& headers, int& data);
  double dllp(double at, double& reverse_free);  // returns when it has left the wire
  sc_core::sc_time write_detailed(std::uint64_t bytes);
  sc_core::sc_time read_detailed(std::uint64_t bytes);
  sc_core::sc_time write_fast(std::uint64_t bytes);
  sc_core::sc_time read_fast(std::uint64_t bytes);

  PcieSpec spec_;
  TimingMode mode_;
  double sim_per_ns_;
  double ns_per_byte_;
  double down_free_ = 0, up_free_ = 0;  // real ns at which each wire is free
  int posted_headers_, posted_data_, nonposted_headers_, tags_;
  std::deque<Return> posted_returns_, nonposted_returns_, tag_returns_;
  int unacked_down_ = 0, unacked_up_ = 0;
  Counter &tlps_down_, &tlps_up_, &dllps_, &payload_down_, &payload_up_, &wire_down_, &wire_up_, &credit_wait_ns_,
      &tag_wait_ns_;
};

}  // namespace sparsim::memory

#pragma once
// Hardware parameters of the cDMA model (declared in params.cpp with defaults, units and sources) and the
// derived per-cycle rates. One simulated cycle is 1 ns of SystemC time; accelerator.clock_ghz converts.
#include <cstdint>
#include <string>
#include <vector>

#include "models/cdma/codec.hpp"
#include "models/memory/dram_spec.hpp"
#include "models/memory/pcie_link.hpp"
#include "sim/config/config.hpp"

namespace sparsim::cdma {

// A throughput in bytes per cycle as an exact fraction num/den (den fixed), so that stage timing is
// integer arithmetic and identical in fast and detailed mode.
struct Rate {
  static constexpr std::uint64_t kDen = 1000000;
  std::uint64_t num = kDen;  // bytes per cycle x kDen
  static Rate from_bytes_per_cycle(double bytes_per_cycle);
  double bytes_per_cycle() const { return static_cast<double>(num) / kDen; }
};

struct PcieParams {
  int generation = 3;
  int lanes = 16;
  std::int64_t max_payload_bytes = 256;
  std::int64_t packet_overhead_bytes = 24;
  double latency_ns = 500.0;
  std::int64_t max_read_request_bytes = 512;
  int posted_header_credits = 64, posted_data_credits = 1024, nonposted_header_credits = 64;
  int read_tags = 64, ack_every = 4;
  memory::PcieSpec link_spec() const;                     // the shared link block's description of this link
  double gtps_per_lane() const;                           // transfer rate per lane, GT/s
  double encoding_efficiency() const;                     // 8b/10b (gen1-2) or 128b/130b (gen3-5)
  double raw_gbps() const;                                // bytes/ns one direction after line encoding
  double payload_gbps() const;                            // raw_gbps x payload / (payload + overhead): large transfers
  std::uint64_t wire_bytes(std::uint64_t payload) const;  // payload plus per-packet overhead
};

struct Params {
  double clock_ghz = 1.531;
  std::int64_t macs_per_cycle = 3584;
  std::int64_t bytes_per_element = 4;
  double gpu_bandwidth_gbps = 480.0;    // the device DRAM's peak (the roofline's memory bound)
  memory::DramSpec device;              // cdma accelerator: the GPU's memory (memory.dram.*)
  std::int64_t dram_steady_sample = 0;  // accelerator.sim.dram_steady_sample (0: the DRAM model's default)
  double host_bandwidth_gbps = 68.3;
  PcieParams pcie;
  Codec codec = Codec::Zvc;
  double compressor_bytes_per_cycle = 128.0;
  double zlib_bytes_per_cycle = 2.0;
  int zlib_level = 6;
  std::int64_t chunk_bytes = 65536;
  std::int64_t buffer_bytes = 262144;
  std::int64_t sample_chunks = 16;
  std::string offload_policy = "all";
  double clustering = 0.0;

  // The cdma accelerator's keys (with its roofline's macs_per_cycle).
  static Params from(const Config& cfg);
  // The offload path's keys as named by `key` (accelerator_key or extension_key); clock from
  // accelerator.clock_ghz, which every accelerator declares. macs_per_cycle keeps its default.
  static Params from_keys(const Config& cfg, std::string (*key)(const std::string& short_name));
  Rate gpu_rate() const { return Rate::from_bytes_per_cycle(gpu_bandwidth_gbps / clock_ghz); }
  Rate host_rate() const { return Rate::from_bytes_per_cycle(host_bandwidth_gbps / clock_ghz); }
  Rate link_rate() const { return Rate::from_bytes_per_cycle(pcie.raw_gbps() / clock_ghz); }
  // Throughput of the (de)compressor of `c` in uncompressed bytes per cycle.
  Rate codec_rate(Codec c) const;
  std::uint64_t latency_cycles() const;
};

// The offload path's parameters are declared once and named twice: by the cdma accelerator under its
// historical keys (accelerator.dma.*, memory.pcie.*, ...) and by the offload extension under offload.*.
// A short name ("pcie.lanes", "dma.chunk_bytes", "codec", "policy", ...) maps to the full key.
using KeyName = std::string (*)(const std::string& short_name);
std::string accelerator_key(const std::string& short_name);
std::string extension_key(const std::string& short_name);
std::vector<ParamSpec> path_param_specs(KeyName key);
void validate_path(const Config& cfg, KeyName key);  // ranges across keys; the whole step is simulated

std::vector<ParamSpec> param_specs();  // the cdma accelerator's
void validate(const Config& cfg);

}  // namespace sparsim::cdma

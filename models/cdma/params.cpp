#include "models/cdma/params.hpp"

#include "models/memory/dram_params.hpp"

#include <cmath>
#include <map>

#include "sim/config/schema.hpp"

namespace sparsim::cdma {

Rate Rate::from_bytes_per_cycle(double bytes_per_cycle) {
  Rate r;
  r.num = static_cast<std::uint64_t>(std::llround(bytes_per_cycle * kDen));
  if (r.num == 0) r.num = 1;
  return r;
}

double PcieParams::gtps_per_lane() const {
  // PCI-SIG base specifications 1.0 - 5.0: 2.5, 5, 8, 16, 32 GT/s per lane.
  static const double rates[] = {2.5, 5.0, 8.0, 16.0, 32.0};
  return rates[generation - 1];
}

double PcieParams::encoding_efficiency() const { return generation <= 2 ? 8.0 / 10.0 : 128.0 / 130.0; }

double PcieParams::raw_gbps() const { return gtps_per_lane() * lanes * encoding_efficiency() / 8.0; }

double PcieParams::payload_gbps() const {
  return raw_gbps() * static_cast<double>(max_payload_bytes) /
         static_cast<double>(max_payload_bytes + packet_overhead_bytes);
}

memory::PcieSpec PcieParams::link_spec() const {
  memory::PcieSpec s;
  s.generation = generation;
  s.lanes = lanes;
  s.max_payload = max_payload_bytes;
  s.max_read_request = max_read_request_bytes;
  s.tlp_overhead = packet_overhead_bytes;
  s.latency_ns = latency_ns;
  s.posted_header_credits = posted_header_credits;
  s.posted_data_credits = posted_data_credits;
  s.nonposted_header_credits = nonposted_header_credits;
  s.read_tags = read_tags;
  s.ack_every = ack_every;
  return s;
}

std::uint64_t PcieParams::wire_bytes(std::uint64_t payload) const {
  const auto mps = static_cast<std::uint64_t>(max_payload_bytes);
  return payload + (payload + mps - 1) / mps * static_cast<std::uint64_t>(packet_overhead_bytes);
}

Rate Params::codec_rate(Codec c) const {
  return Rate::from_bytes_per_cycle(c == Codec::Zlib ? zlib_bytes_per_cycle : compressor_bytes_per_cycle);
}

std::uint64_t Params::latency_cycles() const {
  return static_cast<std::uint64_t>(std::llround(pcie.latency_ns * clock_ghz));
}

std::string accelerator_key(const std::string& key) {
  static const std::map<std::string, std::string> keys = {
      {"bytes_per_element", "accelerator.compute.bytes_per_element"},
      {"codec", "accelerator.dma.algorithm"},
      {"policy", "accelerator.offload.policy"},
      {"clustering", "accelerator.activations.clustering"},
      {"host_bandwidth", "memory.host.bandwidth"}};
  if (auto it = keys.find(key); it != keys.end()) return it->second;
  return key.rfind("pcie.", 0) == 0 ? "memory." + key : "accelerator." + key;  // pcie.* / dma.*
}

std::string extension_key(const std::string& key) {
  static const std::map<std::string, std::string> keys = {{"host_bandwidth", "offload.memory.host_bandwidth"}};
  if (auto it = keys.find(key); it != keys.end()) return it->second;
  return "offload." + key;
}

Params Params::from_keys(const Config& cfg, KeyName k) {
  Params p;
  p.clock_ghz = cfg.f64("accelerator.clock_ghz");  // every accelerator declares it
  p.bytes_per_element = cfg.i64(k("bytes_per_element"));
  p.host_bandwidth_gbps = cfg.f64(k("host_bandwidth"));
  p.pcie.generation = static_cast<int>(cfg.i64(k("pcie.generation")));
  p.pcie.lanes = static_cast<int>(cfg.i64(k("pcie.lanes")));
  p.pcie.max_payload_bytes = cfg.i64(k("pcie.max_payload_bytes"));
  p.pcie.packet_overhead_bytes = cfg.i64(k("pcie.packet_overhead_bytes"));
  p.pcie.latency_ns = cfg.f64(k("pcie.latency_ns"));
  p.pcie.max_read_request_bytes = cfg.i64(k("pcie.max_read_request_bytes"));
  p.pcie.posted_header_credits = static_cast<int>(cfg.i64(k("pcie.posted_header_credits")));
  p.pcie.posted_data_credits = static_cast<int>(cfg.i64(k("pcie.posted_data_credits")));
  p.pcie.nonposted_header_credits = static_cast<int>(cfg.i64(k("pcie.nonposted_header_credits")));
  p.pcie.read_tags = static_cast<int>(cfg.i64(k("pcie.read_tags")));
  p.pcie.ack_every = static_cast<int>(cfg.i64(k("pcie.ack_every")));
  p.codec = parse_codec(cfg.str(k("codec")));
  p.compressor_bytes_per_cycle = cfg.f64(k("dma.compressor_bytes_per_cycle"));
  p.zlib_bytes_per_cycle = cfg.f64(k("dma.zlib_bytes_per_cycle"));
  p.zlib_level = static_cast<int>(cfg.i64(k("dma.zlib_level")));
  p.chunk_bytes = cfg.i64(k("dma.chunk_bytes"));
  p.buffer_bytes = cfg.i64(k("dma.buffer_bytes"));
  p.sample_chunks = cfg.i64(k("dma.sample_chunks"));
  p.offload_policy = cfg.str(k("policy"));
  p.clustering = cfg.f64(k("clustering"));
  return p;
}

Params Params::from(const Config& cfg) {
  Params p = from_keys(cfg, accelerator_key);
  p.macs_per_cycle = cfg.i64("accelerator.compute.macs_per_cycle");
  p.device = memory::dram_spec_from_config(cfg);
  p.gpu_bandwidth_gbps = p.device.peak_gbps();
  p.dram_steady_sample = cfg.i64("accelerator.sim.dram_steady_sample");
  return p;
}

std::vector<ParamSpec> path_param_specs(KeyName k) {
  return {
      int_param(k("bytes_per_element"), 4, 1, 8, "bytes",
                "Bytes per activation, weight and gradient element (4: fp32 training as in the cDMA paper)."),
      enum_param(k("codec"), "zvc", {"zvc", "rle", "zlib"}, "Compression algorithm of the cDMA engine."),
      float_param(k("dma.compressor_bytes_per_cycle"), 128.0, 0.01, 1 << 20, "bytes/cycle",
                  "Throughput of the ZVC/RLE compressor and decompressor, in uncompressed bytes per cycle."),
      float_param(k("dma.zlib_bytes_per_cycle"), 2.0, 0.01, 1 << 20, "bytes/cycle",
                  "Throughput of the zlib-class (DEFLATE) compressor and decompressor, uncompressed bytes per cycle."),
      int_param(k("dma.zlib_level"), 6, 1, 9, "", "zlib compression level of the zlib-class engine."),
      int_param(k("dma.chunk_bytes"), 65536, 256, 1 << 26, "bytes",
                "DMA transfer unit: uncompressed bytes the engine reads, compresses and sends as one piece."),
      int_param(k("dma.buffer_bytes"), 262144, 256, 1LL << 32, "bytes",
                "Staging buffer between the compressor and the PCIe link, per direction (uncompressed-chunk "
                "slots = buffer_bytes / chunk_bytes)."),
      int_param(k("dma.sample_chunks"), 16, 1, 1 << 20, "chunks",
                "Chunks of real activation data generated and compressed per tensor; the tensor's chunks take "
                "their compressed sizes from these samples in turn."),
      enum_param(k("policy"), "all", {"all", "conv"},
                 "vDNN policy: offload the input activations of every layer (all) or of conv layers only."),
      float_param(k("clustering"), 0.0, 0.0, 0.99, "",
                  "Spatial clustering of zeros in the generated activations: 0 independent zeros; c > 0 makes "
                  "runs longer (Markov chain, same density)."),
      float_param(k("host_bandwidth"), 68.3, 1.0, 1e6, "GB/s",
                  "Host (CPU) memory bandwidth seen by DMA writes and reads (4-channel DDR4-2133)."),
      int_param(k("pcie.generation"), 3, 1, 5, "",
                "PCIe generation: 2.5/5/8/16/32 GT/s per lane, 8b/10b (1-2) or 128b/130b (3-5) encoding."),
      int_param(k("pcie.lanes"), 16, 1, 32, "lanes", "PCIe link width (1, 2, 4, 8, 16 or 32 lanes)."),
      int_param(k("pcie.max_payload_bytes"), 256, 64, 4096, "bytes",
                "Maximum TLP payload (MPS); larger DMA pieces are split into packets of this size."),
      int_param(k("pcie.packet_overhead_bytes"), 24, 0, 256, "bytes",
                "Bytes on the wire per TLP besides payload: 16 B header (4DW, 64-bit address) + 2 B sequence + "
                "4 B LCRC + 2 B framing."),
      float_param(k("pcie.latency_ns"), 500.0, 0.0, 1e7, "ns",
                  "One-way latency of a packet through the link, root complex and host memory controller."),
      int_param(k("pcie.max_read_request_bytes"), 512, 128, 4096, "bytes",
                "Maximum read request size (MRRS): a DMA read asks the host for this much per request."),
      int_param(k("pcie.posted_header_credits"), 64, 1, 4096, "TLPs",
                "Posted header credits the host advertises: writes in flight per credit round trip."),
      int_param(k("pcie.posted_data_credits"), 1024, 1, 1 << 20, "16-byte units",
                "Posted data credits the host advertises (1024 = 16 KB of writes in flight)."),
      int_param(k("pcie.nonposted_header_credits"), 64, 1, 4096, "TLPs", "Non-posted (read request) header credits."),
      int_param(k("pcie.read_tags"), 64, 1, 4096, "requests", "Read requests the DMA engine keeps outstanding."),
      int_param(k("pcie.ack_every"), 4, 1, 256, "TLPs", "TLPs one ACK/UpdateFC DLLP acknowledges."),
  };
}

std::vector<ParamSpec> param_specs() {
  std::vector<ParamSpec> specs = {
      float_param("accelerator.clock_ghz", 1.531, 0.01, 10.0, "GHz",
                  "GPU clock: converts cycles to seconds and GB/s to bytes/cycle (Titan X Pascal boost clock)."),
      int_param("accelerator.compute.macs_per_cycle", 3584, 1, 1 << 24, "MACs/cycle",
                "Peak multiply-accumulates per cycle of the roofline compute model (Titan X Pascal: 3584 "
                "CUDA cores, one fp32 FMA each)."),
  };
  const auto path = path_param_specs(accelerator_key);
  specs.insert(specs.end(), path.begin(), path.end());
  specs.push_back(int_param("accelerator.sim.dram_steady_sample", 0, 0, 1 << 20, "bursts",
                            "Fast mode: DRAM bursts of a block simulated before the rest of it is taken as a "
                            "steady state (0: the DRAM model's default, 64 per channel and at least 512: 768 "
                            "on the 12 GDDR5X channels); docs/cdma.md measures smaller samples."));
  // The GPU's memory: the Titan X (Pascal) of the paper has 12 GDDR5X channels (480 GB/s).
  for (ParamSpec& d : memory::dram_params("GDDR5X", 0)) specs.push_back(std::move(d));
  return specs;
}

void validate_path(const Config& cfg, KeyName k) {
  const std::int64_t lanes = cfg.i64(k("pcie.lanes"));
  if (lanes != 1 && lanes != 2 && lanes != 4 && lanes != 8 && lanes != 16 && lanes != 32)
    cfg.fail(k("pcie.lanes"), "a PCIe link has 1, 2, 4, 8, 16 or 32 lanes, not " + std::to_string(lanes));
  const std::int64_t mps = cfg.i64(k("pcie.max_payload_bytes"));
  if (mps & (mps - 1)) cfg.fail(k("pcie.max_payload_bytes"), "must be a power of two (128, 256, ...)");
  const Params p = Params::from_keys(cfg, k);
  if (const std::string why = memory::check_pcie_spec(p.pcie.link_spec()); !why.empty())
    cfg.fail(k("pcie." + why.substr(0, why.find(':'))), why.substr(why.find(':') + 2));
  const std::int64_t chunk = cfg.i64(k("dma.chunk_bytes"));
  const std::int64_t elem = cfg.i64(k("bytes_per_element"));
  if (elem != 2 && elem != 4) cfg.fail(k("bytes_per_element"), "must be 2 or 4");
  if (chunk % 128) cfg.fail(k("dma.chunk_bytes"), "must be a multiple of 128 bytes (one ZVC window)");
  if (cfg.i64(k("dma.buffer_bytes")) < chunk)
    cfg.fail(k("dma.buffer_bytes"), "must hold at least one chunk (" + k("dma.chunk_bytes") + ")");
  if (cfg.str("workload.phases") != "FF,BP,WU")
    cfg.fail("workload.phases", "the offload timeline needs the whole training step (FF,BP,WU)");
  if (!cfg.str("workload.layers").empty())
    cfg.fail("workload.layers", "the offload timeline needs every layer of the network (leave it empty)");
}

void validate(const Config& cfg) { validate_path(cfg, accelerator_key); }

}  // namespace sparsim::cdma

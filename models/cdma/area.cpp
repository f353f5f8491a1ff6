// What the compressing DMA engine adds to the GPU, for its area (sim/area.hpp). The GPU is a roofline here
// (no structure to list), and vDNN offloads through the GPU's existing DMA engines, so only the cDMA
// variant has parts: its staging buffer and the (de)compressor's byte lanes. A ZVC lane is a zero test per
// byte (the table's 8-bit compare); other codecs' engines are listed under their own name, unpriced unless
// the table gives them.
#include "models/cdma/area.hpp"

#include <string>

#include "models/cdma/params.hpp"

namespace sparsim::cdma {

std::vector<AreaPart> cdma_inventory(const Config& cfg) {
  const Params p = Params::from(cfg);
  std::vector<AreaPart> parts;
  parts.push_back({"cdma", "dma_buffer", "sram_byte", static_cast<double>(p.buffer_bytes), "staging buffer"});
  const double lanes = p.codec_rate(p.codec).bytes_per_cycle();
  const std::string what = std::to_string(static_cast<long long>(lanes)) + " byte lanes, compressor and decompressor";
  if (p.codec == Codec::Zvc)
    parts.push_back({"cdma", "codec", "compare_int8", 2 * lanes, what});
  else if (p.codec != Codec::None)
    parts.push_back(
        {"cdma", "codec", std::string(codec_name(p.codec)) + "_engine", 2.0, "compressor and decompressor"});
  return parts;
}

}  // namespace sparsim::cdma

#include "models/memory/sram_banks.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace sparsim::memory {

namespace {

bool power_of_two(i64 x) { return x > 0 && (x & (x - 1)) == 0; }

std::uint64_t word_of(const SramSpec& s, std::uint64_t addr) {
  return addr / static_cast<std::uint64_t>(s.bank_width_bytes);
}

int bank_of_word(const SramSpec& s, std::uint64_t word) {
  const auto banks = static_cast<std::uint64_t>(s.banks);
  if (s.mapping == "interleave" || banks == 1) return static_cast<int>(word % banks);
  // XOR-fold every base-`banks` digit of the word address into the bank field: a stride of banks (or
  // banks^2, ...) words changes a higher digit and so still changes the bank.
  std::uint64_t bank = 0;
  for (; word != 0; word /= banks) bank ^= word % banks;
  return static_cast<int>(bank);
}

// Bank words an access spans (a partial word still occupies the bank for its cycle).
i64 words_of(const SramSpec& s, const SramAccess& a) {
  const auto first = word_of(s, a.address), last = word_of(s, a.address + static_cast<std::uint64_t>(a.bytes) - 1);
  return static_cast<i64>(last - first + 1);
}

}  // namespace

std::string check_sram_spec(const SramSpec& s) {
  if (s.banks < 1) return "banks: must be at least 1";
  if (!power_of_two(s.bank_width_bytes)) return "bank_width_bytes: must be a power of two";
  if (s.bytes < 1) return "bytes: must be positive";
  if (s.bytes % (static_cast<i64>(s.banks) * s.bank_width_bytes) != 0)
    return "bytes: must be a multiple of banks x bank_width_bytes";
  if (s.ports < 1) return "ports: must be at least 1";
  if (s.mapping != "interleave" && s.mapping != "xor") return "mapping: must be interleave or xor";
  // XOR of bank indices stays below `banks` only when it is a power of two.
  if (s.mapping == "xor" && !power_of_two(s.banks)) return "banks: the xor mapping needs a power of two";
  if (s.arbiter != "round_robin" && s.arbiter != "fixed_priority" && s.arbiter != "oldest_first")
    return "arbiter: must be round_robin, fixed_priority or oldest_first";
  if (s.read_latency < 1) return "read_latency: must be at least 1";
  if (s.words_per_port_per_cycle < 1) return "words_per_port_per_cycle: must be at least 1";
  return "";
}

int bank_of(const SramSpec& s, std::uint64_t addr) { return bank_of_word(s, word_of(s, addr)); }

double SramStats::avg_queue_depth() const {
  const i64 n = cycles * static_cast<i64>(conflict_cycles.size());
  return n == 0 ? 0.0 : static_cast<double>(queue_depth_sum) / static_cast<double>(n);
}

SramBanks::SramBanks(const SramSpec& spec) : spec_(spec) {
  if (const std::string why = check_sram_spec(spec); !why.empty()) throw std::invalid_argument("sram: " + why);
  const auto P = static_cast<std::size_t>(spec.ports), B = static_cast<std::size_t>(spec.banks);
  policy_ = spec.arbiter == "fixed_priority" ? Policy::FixedPriority
            : spec.arbiter == "oldest_first" ? Policy::OldestFirst
                                             : Policy::RoundRobin;
  ports_.resize(P);
  is_busy_.assign(P, 0);
  granted_.resize(P);
  requests_.resize(B);
  rr_next_.assign(B, 0);
  stats_.conflict_cycles.assign(P, 0);
  stats_.bank_busy.assign(B, 0);
}

void SramBanks::enqueue(int port, const SramAccess& a) {
  if (port < 0 || port >= spec_.ports) throw std::invalid_argument("sram: no port " + std::to_string(port));
  if (a.bytes < 1 || a.address + static_cast<std::uint64_t>(a.bytes) > static_cast<std::uint64_t>(spec_.bytes))
    throw std::invalid_argument("sram: access outside the scratchpad");
  const i64 words = words_of(spec_, a);
  ports_[static_cast<std::size_t>(port)].queue.push_back({a, cycle_, word_of(spec_, a.address), words, 0, words});
  ++stats_.accesses;
  if (!is_busy_[static_cast<std::size_t>(port)]) {
    is_busy_[static_cast<std::size_t>(port)] = 1;
    busy_sorted_ = busy_sorted_ && (busy_.empty() || busy_.back() < port);
    busy_.push_back(port);
  }
}

bool SramBanks::idle() const { return busy_.empty(); }

void SramBanks::fill_window(Port& p) {
  // In order: the next words of the oldest accesses not yet presented, up to the port's width.
  for (std::size_t i = 0;
       i < p.queue.size() && p.window.size() < static_cast<std::size_t>(spec_.words_per_port_per_cycle);) {
    Pending& a = p.queue[i];
    if (a.presented == a.words) {
      ++i;
      continue;
    }
    const auto word = a.first_word + static_cast<std::uint64_t>(a.presented++);
    p.window.push_back({bank_of_word(spec_, word), p.front_seq + static_cast<i64>(i), a.enqueued});
  }
}

std::size_t SramBanks::arbitrate(int b, const std::vector<Request>& reqs) const {
  const int P = spec_.ports, rr = rr_next_[static_cast<std::size_t>(b)];
  // A smaller key wins; the window slot breaks ties between two words of one port (its older word first).
  auto key = [&](const Request& r) {
    if (policy_ == Policy::FixedPriority) return std::make_tuple(i64{0}, r.port, r.slot);
    if (policy_ == Policy::OldestFirst) return std::make_tuple(r.enqueued, r.port, r.slot);
    return std::make_tuple(i64{0}, (r.port - rr + P) % P, r.slot);
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < reqs.size(); ++i)
    if (key(reqs[i]) < key(reqs[best])) best = i;
  return best;
}

void SramBanks::step() {
  for (auto& r : requests_) r.clear();
  if (!busy_sorted_) {
    std::sort(busy_.begin(), busy_.end());
    busy_sorted_ = true;
  }
  for (const int p : busy_) {
    Port& port = ports_[static_cast<std::size_t>(p)];
    const auto depth = static_cast<i64>(port.queue.size());
    stats_.queue_depth_sum += depth;
    stats_.max_queue_depth = std::max(stats_.max_queue_depth, depth);
    fill_window(port);
    for (std::size_t k = 0; k < port.window.size(); ++k)
      requests_[static_cast<std::size_t>(port.window[k].bank)].push_back({p, k, port.window[k].enqueued});
  }
  // Each bank grants one word; the granted slots are removed from the windows afterwards.
  for (int b = 0; b < spec_.banks; ++b) {
    const auto& reqs = requests_[static_cast<std::size_t>(b)];
    if (reqs.empty()) continue;
    const Request& win = reqs[arbitrate(b, reqs)];
    rr_next_[static_cast<std::size_t>(b)] = (win.port + 1) % spec_.ports;
    ++stats_.bank_busy[static_cast<std::size_t>(b)];
    granted_[static_cast<std::size_t>(win.port)].push_back(win.slot);
  }
  for (const int p : busy_) {
    Port& port = ports_[static_cast<std::size_t>(p)];
    auto& slots = granted_[static_cast<std::size_t>(p)];
    if (slots.size() < port.window.size()) ++stats_.conflict_cycles[static_cast<std::size_t>(p)];
    std::sort(slots.rbegin(), slots.rend());  // erase from the back so the other slots keep their index
    for (std::size_t slot : slots) {
      Pending& a = port.queue[static_cast<std::size_t>(port.window[slot].seq - port.front_seq)];
      port.window.erase(port.window.begin() + static_cast<std::ptrdiff_t>(slot));
      (a.access.write ? stats_.words_written : stats_.words_read) += 1;
      if (--a.left == 0) {
        (a.access.write ? stats_.bytes_written : stats_.bytes_read) += a.access.bytes;
        const i64 at = cycle_ + (a.access.write ? 1 : spec_.read_latency);
        done_.push_back({p, a.access.tag, at, a.access.write});
        last_done_ = std::max(last_done_, at);
      }
    }
    // Accesses leave the queue in order once all their words are granted.
    while (!port.queue.empty() && port.queue.front().left == 0) {
      port.queue.pop_front();
      ++port.front_seq;
    }
    slots.clear();
  }
  // Ports whose queue emptied leave the busy list (it stays ascending).
  std::erase_if(busy_, [this](int p) {
    const bool empty = ports_[static_cast<std::size_t>(p)].queue.empty();
    if (empty) is_busy_[static_cast<std::size_t>(p)] = 0;
    return empty;
  });
  ++cycle_;
  ++stats_.cycles;
}

i64 SramBanks::run_until_drained() {
  while (!idle()) step();
  return last_done_;
}

std::vector<SramCompletion> SramBanks::take_completions() {
  std::vector<SramCompletion> out;
  out.swap(done_);
  return out;
}

i64 sram_fast_cycles(const SramSpec& s, const std::vector<std::vector<SramAccess>>& per_port_streams) {
  // Every port's stream as its bank words, in order.
  std::vector<std::vector<int>> banks;
  std::vector<std::vector<bool>> writes;
  std::size_t longest = 0;
  for (const auto& stream : per_port_streams) {
    banks.emplace_back();
    writes.emplace_back();
    for (const SramAccess& a : stream) {
      const auto first = word_of(s, a.address);
      for (i64 w = 0; w < words_of(s, a); ++w) {
        banks.back().push_back(bank_of_word(s, first + static_cast<std::uint64_t>(w)));
        writes.back().push_back(a.write);
      }
    }
    longest = std::max(longest, banks.back().size());
  }
  if (longest == 0) return 0;
  // Lock-step groups: a group's words take as many cycles as its busiest bank holds.
  const auto width = static_cast<std::size_t>(s.words_per_port_per_cycle);
  std::vector<i64> load(static_cast<std::size_t>(s.banks));
  i64 cycles = 0;
  bool last_reads = false;
  for (std::size_t g = 0; g < longest; g += width) {
    std::fill(load.begin(), load.end(), 0);
    last_reads = false;
    for (std::size_t p = 0; p < banks.size(); ++p)
      for (std::size_t w = g; w < std::min(g + width, banks[p].size()); ++w) {
        ++load[static_cast<std::size_t>(banks[p][w])];
        last_reads = last_reads || !writes[p][w];
      }
    cycles += *std::max_element(load.begin(), load.end());
  }
  // The last group's final grant is at cycles - 1; its data come read_latency later (writes: 1).
  return cycles - 1 + (last_reads ? s.read_latency : 1);
}

}  // namespace sparsim::memory

#pragma once
// Banked accumulator SRAM with a read-modify-write pipeline per port: the output buffer under a systolic
// array's columns (or any block that adds partial sums into a buffer). Each port (an array column) hands in
// partial sums in order; each becomes a read of its address (the sum so far), an add, and a write back, or a
// write alone where the sum starts at zero. Which bank holds an address is word mod banks. Every cycle each
// bank's arbiter grants one read and one write (read_write ports) or one access of either kind (a single
// port), round robin over the ports that present one; a port presents its oldest entry that needs a read and
// its oldest whose data is back and needs a write. A port holds at most `depth` partial sums in flight: a
// port that is full cannot take another (the caller holds, which is the back-pressure).
//
// Fixed arrays and one pass over the busy ports per cycle (no queue of words per access): the SAT array
// steps it every cycle with a partial sum on each of 32+ ports.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsim::memory {

struct AccumulatorSpec {
  int banks = 32;
  int ports = 32;
  int word_bytes = 4;  // one partial sum (power of two)
  bool single_port = false;
  int depth = 4;         // partial sums in flight per port
  int read_latency = 1;  // cycles from a read's grant to its data (the add takes the cycle it arrives)
};

// "" if sound, else "field: reason".
std::string check_accumulator_spec(const AccumulatorSpec& s);

struct AccumulatorStats {
  std::int64_t cycles = 0, reads = 0, writes = 0;
  std::int64_t conflict_cycles = 0;  // port-cycles an access was presented and not granted
  std::int64_t full_refusals = 0;    // partial sums refused because their port was full (accepts() false)
};

class AccumulatorBanks {
 public:
  explicit AccumulatorBanks(const AccumulatorSpec& spec);  // throws std::invalid_argument if unsound
  // Whether port `p` takes a partial sum this cycle (counts a refusal when not).
  bool accepts(int p);
  // Hands in a partial sum for byte address `address` (read: add to the stored sum; else overwrite).
  // Precondition: accepts(p) this cycle.
  void push(int p, std::uint64_t address, bool read);
  // Arbitrates and serves one cycle, then moves to the next.
  void step();
  bool idle() const { return in_flight_ == 0; }
  int bank_of(std::uint64_t address) const;
  std::int64_t pending(int p) const { return ports_[static_cast<std::size_t>(p)].size; }
  const AccumulatorStats& stats() const { return stats_; }
  const AccumulatorSpec& spec() const { return spec_; }
  std::int64_t cycle() const { return cycle_; }

 private:
  struct Entry {
    int bank = 0;
    bool needs_read = false, read_granted = false, written = false;
    std::int64_t data_at = 0;  // cycle the read's data is back
  };
  struct Port {
    std::vector<Entry> ring;
    int head = 0, size = 0;
    int next_read = 0;  // offset from head of the oldest entry still to read (== size: none)
    // (entries before next_read are read or need no read; a write-only entry is never waited for)
    Entry& at(int i) {  // (no division: this runs for every partial sum of every column)
      const int k = head + i;
      return ring[static_cast<std::size_t>(k >= static_cast<int>(ring.size()) ? k - static_cast<int>(ring.size()) : k)];
    }
  };
  // Moves next_read past entries that need no read.
  static void settle(Port& q);
  // The winner for a bank among the ports presenting to it: the first after the bank's last grant.
  int distance(int bank, int port, const std::vector<int>& last) const;

  AccumulatorSpec spec_;
  int word_shift_ = 0;           // log2(word_bytes)
  std::uint64_t bank_mask_ = 0;  // banks - 1 when a power of two (else 0: bank_of divides)
  std::vector<Port> ports_;
  std::vector<int> busy_;                        // ports with entries
  std::vector<int> read_winner_, write_winner_;  // per bank, this cycle (-1: none)
  std::vector<int> last_read_, last_write_;      // per bank: port granted last
  std::int64_t in_flight_ = 0;
  std::int64_t cycle_ = 0;
  AccumulatorStats stats_;
};

}  // namespace sparsim::memory

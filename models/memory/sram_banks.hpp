#pragma once
// A banked SRAM scratchpad shared by several ports (PE rows, a DMA engine, a compressor), the block every
// accelerator composes for its on-chip buffers. Each bank serves one word per cycle; which bank a word
// lives in is a function of its address (interleaved, or XOR-folded like the swizzled layouts of GPU
// shared memory), so bank conflicts come from the real addresses of the tiles a mapper lays out, not
// from a conflict rate.
//
// Detailed mode (SramBanks): ports hold FIFO queues of accesses, an access is split into bank words, and
// every cycle one arbiter per bank grants one of the words presented to it by a stated policy; the losers
// retry the next cycle. Fast mode (sram_fast_cycles): separate counting code that assumes the ports move
// in lock step; its error against the detailed mode is measured (tests/memory, docs/memory.md).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sparsim::memory {

using i64 = std::int64_t;

struct SramSpec {
  i64 bytes = 64 * 1024;
  int banks = 16;
  int bank_width_bytes = 8;  // one word: what a bank reads or writes in a cycle
  int ports = 4;
  // "interleave": bank = word % banks. "xor": the bank field XOR the higher word-address digits (base
  // banks), so a walk whose stride is a multiple of banks x width still spreads over the banks.
  std::string mapping = "interleave";
  // "round_robin": per bank, the port after the last one granted comes first. "fixed_priority": the lower
  // port wins. "oldest_first": the access enqueued earliest wins, then the lower port.
  std::string arbiter = "round_robin";
  int read_latency = 1;              // cycles from a word's grant to its data
  int words_per_port_per_cycle = 1;  // words a port presents to the banks in one cycle
};

// "" if sound, else "field: reason" (the caller adds file and line).
std::string check_sram_spec(const SramSpec& s);
// The bank that holds byte `addr`. Precondition: check_sram_spec(s) == "".
int bank_of(const SramSpec& s, std::uint64_t addr);

struct SramAccess {
  std::uint64_t address = 0;
  i64 bytes = 0;
  bool write = false;
  std::uint64_t tag = 0;  // the caller's
};

struct SramCompletion {
  int port = 0;
  std::uint64_t tag = 0;
  i64 cycle = 0;  // last word's grant + read_latency (reads) or + 1 (writes: written at the end of the cycle)
  bool write = false;
};

struct SramStats {
  i64 cycles = 0;  // cycles stepped
  i64 accesses = 0, words_read = 0, words_written = 0, bytes_read = 0, bytes_written = 0;
  std::vector<i64> conflict_cycles;  // per port: cycles in which a word it presented was refused
  std::vector<i64> bank_busy;        // per bank: cycles it served a word
  i64 max_queue_depth = 0;           // accesses waiting at one port, at the start of a cycle
  i64 queue_depth_sum = 0;           // over ports and cycles
  double avg_queue_depth() const;    // per port and cycle
};

// The detailed mode. Plain C++: an accelerator's per-cycle process calls enqueue() and step().
class SramBanks {
 public:
  // Throws std::invalid_argument if check_sram_spec(spec) is not "".
  explicit SramBanks(const SramSpec& spec);
  // Queues an access at `port`, arriving at the current cycle. Throws std::invalid_argument if it lies
  // outside the scratchpad or the port does not exist.
  void enqueue(int port, const SramAccess& a);
  // Arbitrates and serves one cycle, then moves to the next.
  void step();
  bool idle() const;
  // Steps until every queued access is served; returns the cycle of the last completion (0 if none).
  i64 run_until_drained();
  i64 cycle() const { return cycle_; }
  // Completions since the last call, in grant order (one cycle's by port).
  std::vector<SramCompletion> take_completions();
  const SramStats& stats() const { return stats_; }
  const SramSpec& spec() const { return spec_; }

 private:
  struct Pending {
    SramAccess access;
    i64 enqueued = 0;
    std::uint64_t first_word = 0;
    i64 words = 0;      // bank words it spans
    i64 presented = 0;  // words moved into the port's window so far
    i64 left = 0;       // words not yet granted
  };
  struct Word {
    int bank = 0;
    i64 seq = 0;  // the access it belongs to (per-port sequence number)
    i64 enqueued = 0;
  };
  struct Port {
    std::deque<Pending> queue;  // front has sequence number `front_seq`
    i64 front_seq = 0;
    std::deque<Word> window;  // words presented this cycle, in order
  };
  struct Request {
    int port = 0;
    std::size_t slot = 0;  // index in the port's window
    i64 enqueued = 0;
  };
  void fill_window(Port& p);
  // The winner among `reqs` for bank b under the spec's policy (index into reqs).
  std::size_t arbitrate(int b, const std::vector<Request>& reqs) const;

  enum class Policy { RoundRobin, FixedPriority, OldestFirst };

  SramSpec spec_;
  Policy policy_;
  std::vector<Port> ports_;
  // Ports with a queued access, ascending: a cycle visits only these (an empty port presents no word, waits
  // for nothing and adds nothing to the queue statistics). `busy_sorted_` is false after an enqueue added one.
  std::vector<int> busy_;
  std::vector<char> is_busy_;
  bool busy_sorted_ = true;
  std::vector<std::vector<Request>> requests_;     // per bank, rebuilt each cycle
  std::vector<int> rr_next_;                       // per bank: the round-robin pointer
  std::vector<std::vector<std::size_t>> granted_;  // per port: window slots granted this cycle
  std::vector<SramCompletion> done_;
  i64 cycle_ = 0;
  i64 last_done_ = 0;
  SramStats stats_;
};

// The fast mode: cycles to serve `per_port_streams` (all queued at cycle 0; every access at least a
// byte; check_sram_spec(s) == ""), by counting, without an arbiter. Assumption: the ports move in lock step, group g
// being the g-th words_per_port_per_cycle words of every port; a group takes as many cycles as its busiest bank has
// words. Returns the cycle of the last completion, as SramBanks::run_until_drained does. Exact when the detailed ports
// stay in lock step too (no conflicts, or every port on one bank); otherwise pessimistic as a rule (12-28 % on random
// addresses), since a detailed port that wins runs ahead instead of waiting for the group's losers.
i64 sram_fast_cycles(const SramSpec& s, const std::vector<std::vector<SramAccess>>& per_port_streams);

}  // namespace sparsim::memory

#include "models/memory/accumulator_banks.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sparsim::memory {

std::string check_accumulator_spec(const AccumulatorSpec& s) {
  if (s.banks < 1) return "banks: must be at least 1";
  if (s.ports < 1) return "ports: must be at least 1";
  if (s.word_bytes < 1 || (s.word_bytes & (s.word_bytes - 1)) != 0) return "word_bytes: must be a power of two";
  if (s.depth < 1) return "depth: must be at least 1";
  if (s.read_latency < 1) return "read_latency: must be at least 1";
  return "";
}

AccumulatorBanks::AccumulatorBanks(const AccumulatorSpec& spec) : spec_(spec) {
  if (const std::string why = check_accumulator_spec(spec); !why.empty())
    throw std::invalid_argument("accumulator banks: " + why);
  ports_.resize(static_cast<std::size_t>(spec.ports));
  for (Port& p : ports_) p.ring.resize(static_cast<std::size_t>(spec.depth));
  const auto banks = static_cast<std::size_t>(spec.banks);
  read_winner_.assign(banks, -1);
  write_winner_.assign(banks, -1);
  last_read_.assign(banks, spec.ports - 1);  // (port 0 first)
  last_write_.assign(banks, spec.ports - 1);
  while ((1 << word_shift_) < spec.word_bytes) ++word_shift_;
  if ((spec.banks & (spec.banks - 1)) == 0) bank_mask_ = static_cast<std::uint64_t>(spec.banks - 1);
}

int AccumulatorBanks::bank_of(std::uint64_t address) const {
  const std::uint64_t word = address >> word_shift_;
  return static_cast<int>(bank_mask_ != 0 || spec_.banks == 1 ? word & bank_mask_
                                                              : word % static_cast<std::uint64_t>(spec_.banks));
}

bool AccumulatorBanks::accepts(int p) {
  const bool room = ports_[static_cast<std::size_t>(p)].size < spec_.depth;
  if (!room) ++stats_.full_refusals;
  return room;
}

void AccumulatorBanks::push(int p, std::uint64_t address, bool read) {
  Port& q = ports_[static_cast<std::size_t>(p)];
  if (q.size >= spec_.depth) throw std::logic_error("accumulator banks: a port took more than its depth");
  if (q.size == 0) busy_.push_back(p);
  Entry& e = q.at(q.size);
  e = Entry{bank_of(address), read, false, false, 0};
  ++q.size;
  ++in_flight_;
  settle(q);
}

void AccumulatorBanks::settle(Port& q) {
  while (q.next_read < q.size && !q.at(q.next_read).needs_read) ++q.next_read;
}

int AccumulatorBanks::distance(int bank, int port, const std::vector<int>& last) const {
  const int d = port - last[static_cast<std::size_t>(bank)] - 1;
  return d < 0 ? d + spec_.ports : d;
}

void AccumulatorBanks::step() {
  ++stats_.cycles;
  if (in_flight_ == 0) {
    ++cycle_;
    return;
  }
  std::fill(read_winner_.begin(), read_winner_.end(), -1);
  std::fill(write_winner_.begin(), write_winner_.end(), -1);
  // What each busy port presents: its head's write once the head's sum is back (writes leave in order), and
  // its oldest entry still to read. A single-ported bank takes one of the two per port: the write first.
  auto offer = [&](std::vector<int>& winner, const std::vector<int>& last, int bank, int port) {
    int& w = winner[static_cast<std::size_t>(bank)];
    if (w < 0 || distance(bank, port, last) < distance(bank, w, last)) w = port;
  };
  std::int64_t presented = 0;
  for (const int p : busy_) {
    Port& q = ports_[static_cast<std::size_t>(p)];
    const Entry& head = q.at(0);
    const bool write = !head.needs_read || (head.read_granted && head.data_at <= cycle_);
    const bool read = q.next_read < q.size;
    if (spec_.single_port) {
      if (write || read) {
        offer(read_winner_, last_read_, write ? head.bank : q.at(q.next_read).bank, p);
        ++presented;
      }
      continue;
    }
    if (write) {
      offer(write_winner_, last_write_, head.bank, p);
      ++presented;
    }
    if (read) {
      offer(read_winner_, last_read_, q.at(q.next_read).bank, p);
      ++presented;
    }
  }
  std::int64_t granted = 0;
  auto grant_write = [&](int p) {
    Port& q = ports_[static_cast<std::size_t>(p)];
    q.head = q.head + 1 == spec_.depth ? 0 : q.head + 1;
    --q.size;
    q.next_read = std::max(0, q.next_read - 1);
    settle(q);
    --in_flight_;
    ++stats_.writes;
    ++granted;
  };
  auto grant_read = [&](int p) {
    Port& q = ports_[static_cast<std::size_t>(p)];
    Entry& e = q.at(q.next_read);
    e.read_granted = true;
    e.data_at = cycle_ + spec_.read_latency;
    ++q.next_read;
    settle(q);
    ++stats_.reads;
    ++granted;
  };
  for (std::size_t b = 0; b < read_winner_.size(); ++b) {
    if (const int p = write_winner_[b]; p >= 0) {
      last_write_[b] = p;
      grant_write(p);
    }
    if (const int p = read_winner_[b]; p >= 0) {
      last_read_[b] = p;
      Port& q = ports_[static_cast<std::size_t>(p)];
      const Entry& head = q.at(0);
      // (single port: the winner's presented access, its write when the head's was ready)
      if (spec_.single_port && (!head.needs_read || (head.read_granted && head.data_at <= cycle_)))
        grant_write(p);
      else
        grant_read(p);
    }
  }
  stats_.conflict_cycles += presented - granted;
  busy_.erase(
      std::remove_if(busy_.begin(), busy_.end(), [&](int p) { return ports_[static_cast<std::size_t>(p)].size == 0; }),
      busy_.end());
  ++cycle_;
}

}  // namespace sparsim::memory

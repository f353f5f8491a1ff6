#include "models/memory/pcie_link.hpp"

#include <algorithm>
#include <cmath>

namespace sparsim::memory {

double PcieSpec::gtps() const {
  static const double rates[] = {2.5, 5.0, 8.0, 16.0, 32.0};
  return rates[std::clamp(generation, 1, 5) - 1];
}

double PcieSpec::encoding() const { return generation <= 2 ? 8.0 / 10.0 : 128.0 / 130.0; }

double PcieSpec::bytes_per_ns() const { return gtps() * lanes * encoding() / 8.0; }

std::string check_pcie_spec(const PcieSpec& s) {
  if (s.generation < 1 || s.generation > 5) return "generation: 1 to 5";
  if (s.lanes < 1 || s.lanes > 32 || (s.lanes & (s.lanes - 1))) return "lanes: 1, 2, 4, 8, 16 or 32";
  if (s.max_payload < 128 || s.max_payload > 4096 || (s.max_payload & (s.max_payload - 1)))
    return "max_payload_bytes: a power of two from 128 to 4096";
  if (s.max_read_request < 128 || s.max_read_request > 4096 || (s.max_read_request & (s.max_read_request - 1)))
    return "max_read_request_bytes: a power of two from 128 to 4096";
  if (s.posted_data_credits * 16 < s.max_payload)
    return "posted_data_credits: fewer than one maximum-size write TLP (" + std::to_string(s.max_payload / 16) + ")";
  if (s.posted_header_credits < 1 || s.nonposted_header_credits < 1 || s.read_tags < 1 || s.ack_every < 1)
    return "read_tags: credits, tags and ack_every must be at least 1";
  return "";
}

std::string pcie_energy_action(int generation) {
  std::string a = "pcie_gen";
  a += std::to_string(generation);
  a += "_byte";
  return a;
}

PcieLink::PcieLink(sc_core::sc_module_name name, const PcieSpec& spec, TimingMode mode, double sim_ns_per_ns,
                   const std::string& block)
    : sc_module(name),
      stats(block),
      spec_(spec),
      mode_(mode),
      sim_per_ns_(sim_ns_per_ns),
      ns_per_byte_(1.0 / spec.bytes_per_ns()),
      posted_headers_(spec.posted_header_credits),
      posted_data_(spec.posted_data_credits),
      nonposted_headers_(spec.nonposted_header_credits),
      tags_(spec.read_tags),
      tlps_down_(stats.add("tlps_down", "TLPs device -> host (writes, read requests)")),
      tlps_up_(stats.add("tlps_up", "TLPs host -> device (read completions)")),
      dllps_(stats.add("dllps", "ACK and UpdateFC DLLPs, both directions")),
      payload_down_(stats.add("payload_down_bytes", "payload bytes device -> host")),
      payload_up_(stats.add("payload_up_bytes", "payload bytes host -> device")),
      wire_down_(stats.add("wire_down_bytes", "bytes on the down wire incl. TLP and DLLP overhead",
                           pcie_energy_action(spec.generation))),
      wire_up_(stats.add("wire_up_bytes", "bytes on the up wire incl. TLP and DLLP overhead",
                         pcie_energy_action(spec.generation))),
      credit_wait_ns_(stats.add("credit_wait_ns", "time writes waited for posted or non-posted credits, ns")),
      tag_wait_ns_(stats.add("tag_wait_ns", "time reads waited for a free tag, ns")) {}

double PcieLink::now_ns() const { return sc_core::sc_time_stamp().to_seconds() * 1e9 / sim_per_ns_; }

sc_core::sc_time PcieLink::time_of(double ns) const { return sc_core::sc_time(ns * sim_per_ns_, sc_core::SC_NS); }

void PcieLink::wait_until(double ns) {
  const sc_core::sc_time t = time_of(ns);
  if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
}

double PcieLink::send(double ready, std::uint64_t wire_bytes, double& wire_free) {
  const double start = std::max(ready, wire_free);
  wire_free = start + static_cast<double>(wire_bytes) * ns_per_byte_;
  return wire_free;
}

// A DLLP the receiver sends at `at` on the opposite wire. Wires are booked ahead (a completion's time is
// known when its request is sent), so a DLLP due after the wire's booked end would block traffic sent
// before it: it then takes an idle moment of the wire instead; one due while the wire is busy delays
// what follows by its length.
double PcieLink::dllp(double at, double& reverse_free) {
  const double length = static_cast<double>(spec_.dllp_bytes) * ns_per_byte_;
  double end = at + length;
  if (at <= reverse_free) end = reverse_free += length;
  ++dllps_;
  (&reverse_free == &up_free_ ? wire_up_ : wire_down_) += static_cast<std::uint64_t>(spec_.dllp_bytes);
  return end;
}

// Times are kept in ns as doubles and waited for at the kernel's 1 ps resolution: a return within 1 ps
// of now has arrived.
void PcieLink::collect(std::deque<Return>& q, double now, int& headers, int& data) {
  while (!q.empty() && q.front().at <= now + 1e-3) {
    headers += q.front().headers;
    data += q.front().data;
    q.pop_front();
  }
}

sc_core::sc_time PcieLink::write(std::uint64_t bytes) {
  if (bytes == 0) return sc_core::sc_time_stamp();
  return mode_ == TimingMode::Detailed ? write_detailed(bytes) : write_fast(bytes);
}

sc_core::sc_time PcieLink::read(std::uint64_t bytes) {
  if (bytes == 0) return sc_core::sc_time_stamp();
  return mode_ == TimingMode::Detailed ? read_detailed(bytes) : read_fast(bytes);
}

// TLP by TLP: wait for posted credits, serialise on the down wire, and let the host acknowledge every
// ack_every TLPs with one DLLP on the up wire that also returns their credits (after the latency back).
sc_core::sc_time PcieLink::write_detailed(std::uint64_t bytes) {
  const std::uint64_t mps = static_cast<std::uint64_t>(spec_.max_payload);
  double last_arrival = 0;
  int held_headers = 0, held_data = 0;  // credits the host has freed but not yet returned
  for (std::uint64_t left = bytes; left > 0;) {
    const std::uint64_t payload = std::min(left, mps);
    left -= payload;
    const int credits = static_cast<int>((payload + 15) / 16);
    const double asked = now_ns();
    for (;;) {
      collect(posted_returns_, now_ns(), posted_headers_, posted_data_);
      if (posted_headers_ >= 1 && posted_data_ >= credits) break;
      wait_until(posted_returns_.front().at);
    }
    credit_wait_ns_ += static_cast<std::uint64_t>(std::llround(now_ns() - asked));
    --posted_headers_;
    posted_data_ -= credits;
    const std::uint64_t wire = payload + static_cast<std::uint64_t>(spec_.tlp_overhead);
    const double end = send(now_ns(), wire, down_free_);
    ++tlps_down_;
    payload_down_ += payload;
    wire_down_ += wire;
    last_arrival = end + spec_.latency_ns;
    ++held_headers;
    held_data += credits;
    if (++unacked_down_ >= spec_.ack_every || left == 0) {
      const double acked = dllp(last_arrival, up_free_);
      posted_returns_.push_back({acked + spec_.latency_ns, held_headers, held_data});
      held_headers = held_data = 0;
      unacked_down_ = 0;
    }
    wait_until(end);
  }
  return time_of(last_arrival);
}

// Request by request: wait for a tag and a non-posted credit, send the header-only request on the down
// wire; the host answers after the latency with completions of at most max_payload on the up wire; the
// device acknowledges them on the down wire; the tag frees when the request's last data has arrived.
sc_core::sc_time PcieLink::read_detailed(std::uint64_t bytes) {
  const std::uint64_t mrrs = static_cast<std::uint64_t>(spec_.max_read_request);
  const std::uint64_t mps = static_cast<std::uint64_t>(spec_.max_payload);
  double last_data = 0;
  for (std::uint64_t left = bytes; left > 0;) {
    const std::uint64_t size = std::min(left, mrrs);
    left -= size;
    const double asked = now_ns();
    int unused = 0;
    for (;;) {
      collect(tag_returns_, now_ns(), tags_, unused);
      collect(nonposted_returns_, now_ns(), nonposted_headers_, unused);
      if (tags_ >= 1 && nonposted_headers_ >= 1) break;
      double next = 1e300;
      if (tags_ < 1) next = std::min(next, tag_returns_.front().at);
      if (nonposted_headers_ < 1) next = std::min(next, nonposted_returns_.front().at);
      wait_until(next);
    }
    tag_wait_ns_ += static_cast<std::uint64_t>(std::llround(now_ns() - asked));
    --tags_;
    --nonposted_headers_;
    const std::uint64_t req_wire = static_cast<std::uint64_t>(spec_.tlp_overhead);
    const double sent = send(now_ns(), req_wire, down_free_);
    ++tlps_down_;
    wire_down_ += req_wire;
    const double at_host = sent + spec_.latency_ns;
    const double acked = dllp(at_host, up_free_);  // ACK + UpdateFC for the request
    nonposted_returns_.push_back({acked + spec_.latency_ns, 1, 0});
    double data_end = at_host;
    for (std::uint64_t c = 0; c < size; c += mps) {
      const std::uint64_t payload = std::min(mps, size - c);
      const std::uint64_t wire = payload + static_cast<std::uint64_t>(spec_.tlp_overhead);
      data_end = send(at_host, wire, up_free_);
      ++tlps_up_;
      payload_up_ += payload;
      wire_up_ += wire;
      if (++unacked_up_ >= spec_.ack_every) {
        dllp(data_end + spec_.latency_ns, down_free_);
        unacked_up_ = 0;
      }
    }
    const double arrived = data_end + spec_.latency_ns;
    tag_returns_.push_back({arrived, 1, 0});
    std::sort(tag_returns_.begin(), tag_returns_.end(), [](const Return& a, const Return& b) { return a.at < b.at; });
    last_data = std::max(last_data, arrived);
    wait_until(sent);
  }
  return time_of(last_data);
}

// Closed form: the payload at the wire's TLP efficiency, or at what the posted credits let through per
// round trip (credit bytes / (2 x latency)), whichever is slower.
sc_core::sc_time PcieLink::write_fast(std::uint64_t bytes) {
  const std::uint64_t n = spec_.tlps(bytes, spec_.max_payload);
  const std::uint64_t wire = bytes + n * static_cast<std::uint64_t>(spec_.tlp_overhead);
  const double credit_bytes = std::min<double>(static_cast<double>(spec_.posted_header_credits) * spec_.max_payload,
                                               static_cast<double>(spec_.posted_data_credits) * 16.0);
  const double wire_ns = static_cast<double>(wire) * ns_per_byte_;
  // A credit comes back one round trip after its TLP left: the ACK group's TLPs on the wire, the latency
  // there, the DLLP and the latency back. Beyond the first window the credits pace the writes.
  const double group = static_cast<double>(std::min<std::int64_t>(spec_.ack_every, static_cast<std::int64_t>(n))) *
                       static_cast<double>(spec_.max_payload + spec_.tlp_overhead);
  const double round_trip = 2.0 * spec_.latency_ns + (group + static_cast<double>(spec_.dllp_bytes)) * ns_per_byte_;
  const double beyond = std::max(0.0, static_cast<double>(bytes) - credit_bytes);
  const double credit_ns = beyond / credit_bytes * round_trip;
  const double start = std::max(now_ns(), down_free_);
  down_free_ = start + std::max(wire_ns, credit_ns);
  tlps_down_ += n;
  payload_down_ += bytes;
  wire_down_ += wire;
  const std::uint64_t acks =
      (n + static_cast<std::uint64_t>(spec_.ack_every) - 1) / static_cast<std::uint64_t>(spec_.ack_every);
  dllps_ += acks;
  wire_up_ += acks * static_cast<std::uint64_t>(spec_.dllp_bytes);
  wait_until(down_free_);
  return time_of(down_free_ + spec_.latency_ns);
}

// Closed form: completions at the up wire's TLP efficiency, or what the tags keep in flight per round
// trip, whichever is slower; the first data one round trip after the first request.
sc_core::sc_time PcieLink::read_fast(std::uint64_t bytes) {
  const std::uint64_t requests = spec_.tlps(bytes, spec_.max_read_request);
  const std::uint64_t cpls = spec_.tlps(bytes, spec_.max_payload);
  const std::uint64_t wire = bytes + cpls * static_cast<std::uint64_t>(spec_.tlp_overhead);
  const double wire_ns = static_cast<double>(wire) * ns_per_byte_;
  const double round_trip = 2.0 * spec_.latency_ns;
  const double window = static_cast<double>(spec_.read_tags) * spec_.max_read_request;
  const double tag_ns = std::max(0.0, static_cast<double>(bytes) - window) / window * round_trip;
  const double start = std::max(now_ns(), down_free_);
  down_free_ = start + static_cast<double>(requests * spec_.tlp_overhead) * ns_per_byte_;
  const double first_cpl = std::max(up_free_, start + spec_.tlp_overhead * ns_per_byte_ + spec_.latency_ns);
  up_free_ = first_cpl + std::max(wire_ns, tag_ns);
  tlps_down_ += requests;
  wire_down_ += requests * static_cast<std::uint64_t>(spec_.tlp_overhead);
  tlps_up_ += cpls;
  payload_up_ += bytes;
  wire_up_ += wire;
  dllps_ += requests + cpls / static_cast<std::uint64_t>(spec_.ack_every);
  wait_until(down_free_);
  return time_of(up_free_ + spec_.latency_ns);
}

}  // namespace sparsim::memory

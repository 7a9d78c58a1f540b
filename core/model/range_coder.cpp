#include "core/model/range_coder.h"

namespace lldif::rc {

namespace {
constexpr int kProbBits = 11;
constexpr int kAdaptShift = 5;
constexpr std::uint32_t kTop = 1u << 24;

// After each bit its model moves 1/32 of the way toward it: the encoder and the decoder must agree exactly.
void adapt(BitModel& m, int bit) {
  m.p = static_cast<std::uint16_t>(bit == 0 ? m.p + (((1u << kProbBits) - m.p) >> kAdaptShift)
                                            : m.p - (m.p >> kAdaptShift));
}
}  // namespace

void RangeEncoder::encode(BitModel& m, int bit) {
  const std::uint32_t bound = (range_ >> kProbBits) * m.p;
  if (bit == 0) {
    range_ = bound;
  } else {
    low_ += bound;
    range_ -= bound;
  }
  adapt(m, bit);
  while (range_ < kTop) {
    range_ <<= 8;
    shiftLow();
  }
}

void RangeEncoder::shiftLow() {
  if (static_cast<std::uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
    const auto carry = static_cast<std::uint8_t>(low_ >> 32);
    std::uint8_t byte = cache_;
    do {
      out_.push_back(static_cast<std::uint8_t>(byte + carry));
      byte = 0xFF;
    } while (--cache_size_ != 0);
    cache_ = static_cast<std::uint8_t>(low_ >> 24);
  }
  ++cache_size_;
  low_ = (low_ & 0x00FFFFFFu) << 8;
}

std::vector<std::uint8_t> RangeEncoder::finish() {
  for (int i = 0; i < 5; ++i) shiftLow();
  return std::move(out_);
}

RangeDecoder::RangeDecoder(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {
  for (int i = 0; i < 5; ++i) code_ = (code_ << 8) | next();
}

int RangeDecoder::decode(BitModel& m) {
  const std::uint32_t bound = (range_ >> kProbBits) * m.p;
  const int bit = code_ < bound ? 0 : 1;
  if (bit == 0) {
    range_ = bound;
  } else {
    code_ -= bound;
    range_ -= bound;
  }
  adapt(m, bit);
  while (range_ < kTop) {
    range_ <<= 8;
    code_ = (code_ << 8) | next();
  }
  return bit;
}

void putLittleEndian(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t getLittleEndian(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void AdaptiveGamma::encode(RangeEncoder& e, std::uint32_t v) {
  const std::uint32_t x = v + 1;
  int n = 0;  // bits below the leading one
  while ((x >> (n + 1)) != 0) ++n;
  for (int i = 0; i < n; ++i) e.encode(length_[i], 1);
  if (n < kMaxBits - 1) e.encode(length_[n], 0);
  for (int i = n - 1; i >= 0; --i) e.encode(bits_[n][i], static_cast<int>((x >> i) & 1));
}

std::uint32_t AdaptiveGamma::decode(RangeDecoder& d) {
  int n = 0;
  while (n < kMaxBits - 1 && d.decode(length_[n]) == 1) ++n;
  std::uint32_t x = 1;
  for (int i = n - 1; i >= 0; --i) x = (x << 1) | static_cast<std::uint32_t>(d.decode(bits_[n][i]));
  return x - 1;
}

}  // namespace lldif::rc

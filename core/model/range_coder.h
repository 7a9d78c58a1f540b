// range_coder.h - an adaptive binary range coder (the LZMA kind: 11-bit probabilities, byte-wise carry
// propagation) and the two binarisations the face pack's coders use on top of it. Plain C++, no LibTorch.
//
// Contract: a stream written by RangeEncoder with a sequence of (probability model, bit) pairs is read back
// by RangeDecoder with the same models in the same order. The decoder never reads outside its buffer (past
// the end it reads zeros), so a corrupt or truncated stream gives wrong values, never a crash: callers check
// what they decode (the pack coders keep a checksum). Neither class is thread safe; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lldif::rc {

// The probability that the next bit is 0, in 1/2048ths, adapting after every bit.
struct BitModel {
  std::uint16_t p = 1024;
};

class RangeEncoder {
 public:
  void encode(BitModel& m, int bit);
  // Ends the stream (writes the last bytes of `low`) and returns it; the encoder is spent afterwards.
  std::vector<std::uint8_t> finish();

 private:
  void shiftLow();
  std::uint64_t low_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  std::uint8_t cache_ = 0;
  std::uint64_t cache_size_ = 1;
  std::vector<std::uint8_t> out_;
};

class RangeDecoder {
 public:
  RangeDecoder(const std::uint8_t* data, std::size_t size);
  int decode(BitModel& m);

 private:
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  std::uint32_t code_ = 0;
};

// An unsigned integer 0 .. 2^kMaxBits - 2 as an adaptive Elias-gamma code: the bit length of v + 1 in unary
// (one model per position), then its bits below the leading one (one model per length and position).
// One instance holds the models of one context.
class AdaptiveGamma {
 public:
  static constexpr int kMaxBits = 24;
  void encode(RangeEncoder& e, std::uint32_t v);
  std::uint32_t decode(RangeDecoder& d);

 private:
  BitModel length_[kMaxBits];
  BitModel bits_[kMaxBits][kMaxBits];
};

// Little-endian integers in a byte stream (the coders' headers).
void putLittleEndian(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes);
std::uint64_t getLittleEndian(const std::uint8_t* p, int bytes);

// Signed <-> unsigned: 0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ...
inline std::uint32_t zigzag(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
inline std::int32_t unzigzag(std::uint32_t u) {
  return static_cast<std::int32_t>(u >> 1) ^ -static_cast<std::int32_t>(u & 1);
}

}  // namespace lldif::rc

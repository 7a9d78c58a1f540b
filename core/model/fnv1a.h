// fnv1a.h - the 64-bit FNV-1a hash: the checksum of checkpoints' weights and of the face pack's coded
// blocks, a fingerprint of files, and the CLI's per-file seeds. Plain C++ (no LibTorch). Thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lldif {

std::uint64_t fnv1a(const void* data, std::size_t bytes);
inline std::uint64_t fnv1a(const std::string& bytes) { return fnv1a(bytes.data(), bytes.size()); }

}  // namespace lldif

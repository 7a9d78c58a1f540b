#include "core/model/face_pack.h"

#include <cstring>
#include <stdexcept>

#include "core/model/gray_codec.h"
#include "core/model/landmark_codec.h"

namespace lldif {

namespace {

// LibTorch's messages run on with a stack trace: the first line is the reason.
std::string firstLine(const char* what) {
  const std::string s(what);
  return s.substr(0, std::min<std::size_t>(s.find('\n'), 160));
}

torch::Tensor bytesTensor(const std::vector<std::uint8_t>& bytes) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

torch::Tensor encodeLandmarkTensor(const torch::Tensor& lm) {
  const torch::Tensor c = lm.to(torch::kFloat).contiguous();
  const int64_t n = c.size(0);
  const int points = static_cast<int>(c.numel() / std::max<int64_t>(1, n) / 2);
  return bytesTensor(encodeLandmarks(c.data_ptr<float>(), n, std::max(1, points)));
}

// Decodes a landmark stream into a tensor of `shape`; throws std::runtime_error when they disagree.
torch::Tensor decodeLandmarkTensor(const torch::Tensor& code, std::vector<int64_t> shape, const char* what) {
  const torch::Tensor c = code.contiguous();
  const auto* data = c.data_ptr<std::uint8_t>();
  const auto size = static_cast<std::size_t>(c.numel());
  const LandmarkStreamInfo info = readLandmarkStreamInfo(data, size);
  torch::Tensor out = torch::empty(shape, torch::kFloat);
  if (info.count * info.points * 2 != out.numel())
    throw std::runtime_error(std::string(what) + " do not match the number of faces");
  decodeLandmarks(data, size, out.data_ptr<float>());
  return out;
}

}  // namespace

torch::Tensor FacePack::indices(Split s) const { return (split == static_cast<int>(s)).nonzero().squeeze(1); }

FacePack selectRows(const FacePack& p, const torch::Tensor& rows) {
  const torch::Tensor idx = rows.to(torch::kLong).contiguous();
  FacePack q = p;
  q.images = p.images.index_select(0, idx);
  q.landmarks = p.landmarks.index_select(0, idx);
  q.votes = p.votes.index_select(0, idx);
  q.split = p.split.index_select(0, idx);
  q.detected = p.detected.index_select(0, idx);
  if (p.dark_landmarks.defined()) q.dark_landmarks = p.dark_landmarks.index_select(0, idx);
  q.names.clear();
  if (static_cast<int64_t>(p.names.size()) == p.size()) {
    const auto* r = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.numel(); ++i) q.names.push_back(p.names[static_cast<std::size_t>(r[i])]);
  }
  return q;
}

FacePack selectSplits(const FacePack& p, const std::vector<Split>& splits) {
  torch::Tensor keep = torch::zeros_like(p.split, torch::kBool);
  for (Split s : splits) keep = keep | (p.split == static_cast<int>(s));
  return selectRows(p, keep.nonzero().squeeze(1));
}

void saveFacePack(const std::filesystem::path& file, const FacePack& p, const PackWriteOptions& options) {
  std::string joined;
  for (const auto& n : p.names) joined += n + '\n';
  torch::Tensor names = torch::empty({static_cast<int64_t>(joined.size())}, torch::kUInt8);
  std::memcpy(names.data_ptr(), joined.data(), joined.size());
  try {
    const torch::Tensor images = p.images.to(torch::kUInt8).contiguous();
    if (images.dim() != 3) throw std::runtime_error("images must be [N, H, W]");
    torch::serialize::OutputArchive a;
    a.write("format", torch::tensor({2}));
    a.write("images_code",
            bytesTensor(encodeGrayImages(images.data_ptr<std::uint8_t>(), images.size(0),
                                         static_cast<int>(images.size(2)), static_cast<int>(images.size(1)),
                                         options.max_error)));
    a.write("max_error", torch::tensor({p.max_error + options.max_error}));
    a.write("landmarks_code", encodeLandmarkTensor(p.landmarks));
    a.write("votes", p.votes);
    a.write("split", p.split);
    a.write("detected", p.detected);
    a.write("names", names);
    a.write("framing", torch::tensor({p.framing == "image" ? 1 : 0}));
    if (p.dark_landmarks.defined()) a.write("dark_landmarks_code", encodeLandmarkTensor(p.dark_landmarks));
    if (!p.alignment_template.empty()) a.write("template", torch::tensor(p.alignment_template));
    const std::string tmp = file.string() + ".part";
    a.save_to(tmp);
    std::filesystem::rename(tmp, file);
  } catch (const std::exception& e) {
    throw std::runtime_error("Cannot write face pack " + file.string() + ": " + e.what());
  }
}

FacePack loadFacePack(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) throw std::runtime_error("Face pack not found: " + file.string());
  FacePack p;
  torch::Tensor names, format;
  torch::serialize::InputArchive a;
  try {
    a.load_from(file.string());
    a.read("format", format);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a face pack written by 'lldif prepare' (" +
                             firstLine(e.what()) + ")");
  }
  const int64_t version = format.numel() == 1 ? format.item<int64_t>() : -1;
  if (version != 1 && version != 2)
    throw std::runtime_error(file.string() + ": unsupported face pack format " + std::to_string(version) +
                             " (this build reads formats 1 and 2)");
  try {
    a.read("votes", p.votes);
    a.read("split", p.split);
    a.read("detected", p.detected);
    a.read("names", names);
    const int64_t n = p.votes.size(0);
    if (version == 1) {
      a.read("images", p.images);
      a.read("landmarks", p.landmarks);
    } else {
      torch::Tensor code, max_error;
      a.read("images_code", code);
      code = code.contiguous();
      const auto* data = code.data_ptr<std::uint8_t>();
      const auto size = static_cast<std::size_t>(code.numel());
      const GrayStreamInfo info = readGrayStreamInfo(data, size);
      if (info.count != n) throw std::runtime_error("the faces do not match the number of votes");
      p.images = torch::empty({n, info.height, info.width}, torch::kUInt8);
      decodeGrayImages(data, size, p.images.data_ptr<std::uint8_t>());
      a.read("max_error", max_error);
      p.max_error = static_cast<int>(max_error.item<int64_t>());
      a.read("landmarks_code", code);
      p.landmarks = decodeLandmarkTensor(code, {n, 68, 2}, "the landmarks");
    }
    torch::Tensor framing;
    if (a.try_read("framing", framing)) p.framing = framing.item<int64_t>() == 1 ? "image" : "aligned";
    torch::Tensor dark;
    if (version == 1 && a.try_read("dark_landmarks", dark)) p.dark_landmarks = dark;
    if (version == 2 && a.try_read("dark_landmarks_code", dark))
      p.dark_landmarks = decodeLandmarkTensor(dark, {n, 2, 68, 2}, "the dark landmarks");
    torch::Tensor tmpl;
    if (a.try_read("template", tmpl)) {
      tmpl = tmpl.to(torch::kFloat).contiguous();
      p.alignment_template.assign(tmpl.data_ptr<float>(), tmpl.data_ptr<float>() + tmpl.numel());
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is a damaged face pack (" + firstLine(e.what()) + ")");
  }
  const int64_t n = p.votes.size(0);
  if (p.images.size(0) != n || p.landmarks.size(0) != n || p.split.size(0) != n || p.detected.size(0) != n)
    throw std::runtime_error(file.string() +
                             ": a damaged face pack (its tensors disagree on the number of faces)");
  if (p.dark_landmarks.defined() &&
      p.dark_landmarks.sizes() != torch::IntArrayRef({p.images.size(0), 2, 68, 2}))
    throw std::runtime_error(file.string() + ": dark_landmarks has the wrong shape");
  const std::string joined(static_cast<const char*>(names.data_ptr()),
                           static_cast<std::size_t>(names.numel()));
  std::size_t start = 0;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined[i] == '\n') {
      p.names.push_back(joined.substr(start, i - start));
      start = i + 1;
    }
  }
  return p;
}

}  // namespace lldif

#include "core/model/face_pack.h"

#include <cstring>
#include <stdexcept>

namespace lldif {

torch::Tensor FacePack::indices(Split s) const { return (split == static_cast<int>(s)).nonzero().squeeze(1); }

void saveFacePack(const std::filesystem::path& file, const FacePack& p) {
  std::string joined;
  for (const auto& n : p.names) joined += n + '\n';
  torch::Tensor names = torch::empty({static_cast<int64_t>(joined.size())}, torch::kUInt8);
  std::memcpy(names.data_ptr(), joined.data(), joined.size());
  try {
    torch::serialize::OutputArchive a;
    a.write("format", torch::tensor({1}));
    a.write("images", p.images);
    a.write("landmarks", p.landmarks);
    a.write("votes", p.votes);
    a.write("split", p.split);
    a.write("detected", p.detected);
    a.write("names", names);
    a.write("framing", torch::tensor({p.framing == "image" ? 1 : 0}));
    if (p.dark_landmarks.defined()) a.write("dark_landmarks", p.dark_landmarks);
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
  try {
    torch::serialize::InputArchive a;
    a.load_from(file.string());
    a.read("format", format);
    a.read("images", p.images);
    a.read("landmarks", p.landmarks);
    a.read("votes", p.votes);
    a.read("split", p.split);
    a.read("detected", p.detected);
    a.read("names", names);
    torch::Tensor framing;
    if (a.try_read("framing", framing)) p.framing = framing.item<int64_t>() == 1 ? "image" : "aligned";
    torch::Tensor dark;
    if (a.try_read("dark_landmarks", dark)) p.dark_landmarks = dark;
    torch::Tensor tmpl;
    if (a.try_read("template", tmpl)) {
      tmpl = tmpl.to(torch::kFloat).contiguous();
      p.alignment_template.assign(tmpl.data_ptr<float>(), tmpl.data_ptr<float>() + tmpl.numel());
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a face pack written by 'lldif prepare' (" +
                             std::string(e.what()).substr(0, 160) + ")");
  }
  if (format.item<int64_t>() != 1) throw std::runtime_error(file.string() + ": unsupported face pack format");
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

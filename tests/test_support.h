// test_support.h - helpers shared by the tests: fixture paths, temporary folders, test videos.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {
class Landmarker;
}

namespace lldif::test {

// The default dlib landmark model, loaded once per test program.
std::shared_ptr<const Landmarker> sharedLandmarker();

std::filesystem::path dataDir();                           // tests/data
std::filesystem::path resourcesDir();                      // resources/
std::filesystem::path faceImage(const std::string& name);  // tests/data/faces/<name>
std::vector<std::filesystem::path> portraitFixtures();     // every image in tests/data/faces
std::filesystem::path graceHopper();                       // Debian python-matplotlib-data (public domain)

// A FERPlus-like image of a real face: dlib's detector box (widened by 1.25) cut square, size x size gray.
// throws: std::runtime_error unless the image holds exactly one face.
cv::Mat ferLikeFace(const std::filesystem::path& file, int size = 48);

// A fresh empty directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Places `portrait` (scaled to height*0.8) on a size canvas at horizontal offset dx from the centre.
cv::Mat placeOnCanvas(const cv::Mat& portrait, cv::Size size, int dx = 0, int dy = 0);

// Writes a FERPlus-layout folder: faces[i] as DIR/fer%07d.png (i from 0) and its row in DIR/label.csv (the
// FERPlus columns: file, face box, votes = 10 counts: the 8 emotions, unknown, not a face).
// throws: std::runtime_error when a file cannot be written.
void writeFerPlusFolder(const std::filesystem::path& dir, const std::vector<cv::Mat>& faces,
                        const std::vector<std::array<int, 10>>& votes);

// Writes a real video with OpenCV's VideoWriter (MJPG in .avi): `frames` frames, the portrait drifting
// right by `step` pixels a frame; blank_frames lists frame indices that are left empty (no face).
void writeTestVideo(const std::filesystem::path& file, const cv::Mat& portrait, int frames, double fps = 25.0,
                    cv::Size size = {640, 480}, int step = 2, const std::vector<int>& blank_frames = {});

}  // namespace lldif::test

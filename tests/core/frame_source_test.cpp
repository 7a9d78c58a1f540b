#include "core/frame_source.h"

#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/demo_source.h"
#include "core/folder_source.h"
#include "core/image_io.h"
#include "core/image_source.h"
#include "core/video_file_source.h"
#include "test_support.h"

namespace lldif {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

cv::Mat portrait() { return loadImageBgr(test::faceImage("portrait-005.jpg")); }

void writeBytes(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

TEST(VideoFileSource, ReadsEveryFrameOfARealVideoWithMediaTimestamps) {
  TempDir dir;
  test::writeTestVideo(dir / "clip.avi", portrait(), 30, 25.0);
  VideoFileSource src(dir / "clip.avi");
  EXPECT_EQ(src.frameCount(), 30);
  EXPECT_NEAR(src.fps(), 25.0, 1e-6);
  Frame f;
  int n = 0;
  while (src.read(f) == ReadStatus::kFrame) {
    EXPECT_FALSE(f.still) << "video frames follow each other";
    EXPECT_EQ(f.index, n);
    EXPECT_NEAR(f.timestamp_s, n / 25.0, 1e-9);
    EXPECT_EQ(f.image.type(), CV_8UC3);
    EXPECT_EQ(f.image.size(), cv::Size(640, 480));
    ++n;
  }
  EXPECT_EQ(n, 30);
  EXPECT_EQ(src.read(f), ReadStatus::kEnd);  // stays ended
}

TEST(VideoFileSource, LoopsWithIncreasingTimestampsAndSeeks) {
  TempDir dir;
  test::writeTestVideo(dir / "clip.avi", portrait(), 10, 10.0);
  VideoFileSource src(dir / "clip.avi", /*loop=*/true);
  Frame f;
  double last = -1;
  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(src.read(f), ReadStatus::kFrame);
    EXPECT_GT(f.timestamp_s, last);
    last = f.timestamp_s;
  }
  EXPECT_NEAR(last, 2.4, 1e-9);
  ASSERT_TRUE(src.seek(7));
  ASSERT_EQ(src.read(f), ReadStatus::kFrame);
  EXPECT_FALSE(src.seek(10));
  EXPECT_FALSE(src.seek(-1));
}

TEST(VideoFileSource, MissingEmptyAndCorruptFilesGiveClearErrors) {
  TempDir dir;
  try {
    VideoFileSource src(dir / "nothing.mp4");
    FAIL() << "no exception";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nothing.mp4"), std::string::npos);
  }
  writeBytes(dir / "empty.avi", "");
  EXPECT_THROW(VideoFileSource(dir / "empty.avi"), SourceError);
  std::string junk(20000, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919) % 251);
  writeBytes(dir / "junk.avi", junk);
  try {
    VideoFileSource src(dir / "junk.avi");
    FAIL() << "no exception";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.avi"), std::string::npos);
  }
}

TEST(VideoFileSource, TruncatedVideoEndsWithoutCrashing) {
  TempDir dir;
  test::writeTestVideo(dir / "clip.avi", portrait(), 40, 25.0);
  const auto full = fs::file_size(dir / "clip.avi");
  fs::resize_file(dir / "clip.avi", full / 2);
  VideoFileSource src(dir / "clip.avi");
  Frame f;
  int n = 0;
  ReadStatus st;
  while ((st = src.read(f)) == ReadStatus::kFrame) ++n;
  EXPECT_GT(n, 5);
  EXPECT_LT(n, 40);
  EXPECT_TRUE(st == ReadStatus::kEnd || st == ReadStatus::kError);
}

TEST(ImageSource, DeliversTheImageOnceThenEnds) {
  ImageSource src(test::faceImage("portrait-005.jpg"));
  Frame f;
  ASSERT_EQ(src.read(f), ReadStatus::kFrame);
  EXPECT_EQ(f.image.size(), cv::Size(500, 500));
  EXPECT_EQ(f.origin, "portrait-005.jpg");
  EXPECT_TRUE(f.still) << "a still photo: searched as one, unrelated to the frame before";
  EXPECT_EQ(src.read(f), ReadStatus::kEnd);
  EXPECT_EQ(src.fps(), 0.0);
}

TEST(ImageSource, NonImagesAndMissingFilesAreRejectedWithTheFileName) {
  TempDir dir;
  writeBytes(dir / "notes.png", "this is not a png");
  try {
    ImageSource src(dir / "notes.png");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("notes.png"), std::string::npos);
  }
  EXPECT_THROW(ImageSource(dir / "missing.jpg"), SourceError);
  EXPECT_THROW(ImageSource(dir.path()), SourceError);
}

TEST(ImageSource, HugeAndGrayImagesAreNormalised) {
  TempDir dir;
  cv::Mat huge(5000, 6200, CV_8UC1);
  cv::randu(huge, 0, 255);
  ASSERT_TRUE(cv::imwrite((dir / "huge.png").string(), huge));
  ImageSource src(dir / "huge.png");
  Frame f;
  ASSERT_EQ(src.read(f), ReadStatus::kFrame);
  EXPECT_EQ(std::max(f.image.cols, f.image.rows), kMaxImageSide);
  EXPECT_EQ(f.image.channels(), 3);  // gray -> BGR
}

TEST(ImageIo, DeclaredSizesBombsBigJpegsAndCutShortFiles) {
  TempDir dir;
  const cv::Mat p = portrait();
  for (const char* ext : {".png", ".jpg", ".bmp"}) {
    const fs::path f = dir / (std::string("p") + ext);
    ASSERT_TRUE(cv::imwrite(f.string(), p));
    EXPECT_EQ(declaredImageSize(f), p.size()) << ext;
    std::string warning = "stale";
    loadImageBgr(f, &warning);
    EXPECT_TRUE(warning.empty()) << ext << ": " << warning;
  }
  EXPECT_EQ(declaredImageSize(test::faceImage("portrait-005.jpg")), cv::Size(500, 500));  // a camera JPEG
  // A few dozen bytes of PNG header declaring 30000 x 30000 pixels: refused before decoding.
  std::string bomb = "\x89PNG\r\n\x1a\n";
  bomb += std::string("\0\0\0\x0dIHDR", 8) + std::string("\0\0\x75\x30\0\0\x75\x30\x08\0\0\0\0", 13);
  bomb += std::string(40, '\0');
  writeBytes(dir / "bomb.png", bomb);
  EXPECT_EQ(declaredImageSize(dir / "bomb.png"), cv::Size(30000, 30000));
  try {
    loadImageBgr(dir / "bomb.png");
    FAIL() << "a 900-megapixel image was decoded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bomb.png declares 30000 x 30000 pixels"), std::string::npos)
        << e.what();
  }
  // A JPEG more than twice kMaxImageSide wide is decoded at a reduced scale, and still ends at kMaxImageSide.
  cv::Mat wide;
  cv::resize(p, wide, cv::Size(9000, 1500), 0, 0, cv::INTER_LINEAR);  // 13.5 MP, not 81
  ASSERT_TRUE(cv::imwrite((dir / "wide.jpg").string(), wide));
  const cv::Mat loaded = loadImageBgr(dir / "wide.jpg");
  EXPECT_EQ(loaded.cols, kMaxImageSide);
  cv::Mat expected;
  cv::resize(wide, expected, loaded.size(), 0, 0, cv::INTER_AREA);
  EXPECT_LT(cv::norm(loaded, expected, cv::NORM_L1) / static_cast<double>(loaded.total() * 3), 3.0);
  // A JPEG cut in half loads (its lower part gray) with a warning naming it.
  std::ifstream in((dir / "p.jpg").string(), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  writeBytes(dir / "cut.jpg", whole.substr(0, whole.size() / 2));
  std::string warning;
  const cv::Mat cut = loadImageBgr(dir / "cut.jpg", &warning);
  EXPECT_EQ(cut.size(), p.size());
  EXPECT_NE(warning.find("cut.jpg is cut short"), std::string::npos) << warning;
  // The image sources hand it on with the frame (the viewer shows it); a sound file has none.
  Frame f;
  ImageSource cut_source(dir / "cut.jpg");
  ASSERT_EQ(cut_source.read(f), ReadStatus::kFrame);
  EXPECT_NE(f.warning.find("cut short"), std::string::npos);
  ImageSource whole_source(dir / "p.jpg");
  ASSERT_EQ(whole_source.read(f), ReadStatus::kFrame);
  EXPECT_TRUE(f.warning.empty());
}

TEST(FolderSource, ReadsImagesInOrderAndSkipsUndecodableOnes) {
  TempDir dir;
  const cv::Mat p = portrait();
  cv::imwrite((dir / "b.jpg").string(), p);
  cv::imwrite((dir / "a.png").string(), p);
  writeBytes(dir / "c.jpg", "broken");
  writeBytes(dir / "readme.txt", "not an image");
  FolderSource src(dir.path());
  EXPECT_EQ(src.frameCount(), 3);  // a.png, b.jpg, c.jpg (txt ignored)
  Frame f;
  ASSERT_EQ(src.read(f), ReadStatus::kFrame);
  EXPECT_EQ(f.origin, "a.png");
  EXPECT_TRUE(f.still);
  ASSERT_EQ(src.read(f), ReadStatus::kFrame);
  EXPECT_EQ(f.origin, "b.jpg");
  EXPECT_TRUE(f.still);
  EXPECT_EQ(src.read(f), ReadStatus::kEnd);
  ASSERT_EQ(src.skipped().size(), 1u);
  EXPECT_NE(src.skipped()[0].find("c.jpg"), std::string::npos);
}

TEST(FolderSource, EmptyOrMissingFolderIsAnError) {
  TempDir dir;
  EXPECT_THROW(FolderSource(dir.path()), SourceError);
  EXPECT_THROW(FolderSource(dir / "nope"), SourceError);
}

TEST(DemoSource, CyclesThroughTheBundledPortraitsDeterministically) {
  DemoSource a({}, 10.0, 0.5);  // 5 frames per portrait
  DemoSource b({}, 10.0, 0.5);
  ASSERT_GE(a.portraitCount(), 4u);
  Frame fa, fb;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < 5 * a.portraitCount() + 1; ++i) {
    ASSERT_EQ(a.read(fa), ReadStatus::kFrame);
    ASSERT_EQ(b.read(fb), ReadStatus::kFrame);
    EXPECT_EQ(fa.image.size(), cv::Size(640, 480));
    EXPECT_EQ(cv::norm(fa.image, fb.image, cv::NORM_INF), 0.0);
    seen.insert(fa.origin);
  }
  EXPECT_EQ(seen.size(), a.portraitCount());
}

TEST(OpenSource, DispatchesOnTheSpecificationAndExplainsFailures) {
  EXPECT_NE(openSource("demo")->description().find("demo"), std::string::npos);
  EXPECT_NE(openSource(test::faceImage("portrait-005.jpg").string())->description().find("image"),
            std::string::npos);
  EXPECT_NE(openSource((test::dataDir() / "faces").string())->description().find("folder"),
            std::string::npos);
  try {
    openSource("camera:57");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("Camera 57"), std::string::npos);
  }
  EXPECT_THROW(openSource("camera:abc"), SourceError);
  EXPECT_THROW(openSource("/no/such/file.mp4"), SourceError);
  EXPECT_THROW(openSource(""), SourceError);
}

}  // namespace
}  // namespace lldif

// Training datasets: IDX files, folder conversion, zips in the official layout, the sample order and the
// prefetching loader (core/train/dataset.h, core/train/dataset_tool.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/io/errors.h"
#include "core/io/idx.h"
#include "core/io/image.h"
#include "core/train/dataset.h"
#include "core/train/dataset_tool.h"
#include "tests/core/dataset_test_util.h"

#ifdef STYLESCOPE_HAVE_ZIP
#include <zip.h>

#include "core/io/zip_archive.h"
#endif

namespace stylescope::test {
namespace {

namespace fs = std::filesystem;
using train::DatasetOpenOptions;
using train::ImageDataset;

class Dataset : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (fs::temp_directory_path() / ("stylescope-dataset-" + std::to_string(rd()))).string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

torch::Tensor chw(const Image8& image) {
  return torch::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                          {image.height, image.width, image.channels}, torch::kUInt8)
      .permute({2, 0, 1})
      .clone();
}

// What InputError says, or "" when nothing is thrown.
template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_F(Dataset, IdxFilesReadPlainAndGzipped) {
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255};
  for (bool gzip : {false, true}) {
    const std::string path = dir_ + (gzip ? "/a.gz" : "/a");
    write_idx(path, {2, 2, 3}, data, gzip);
    const IdxArray array = read_idx(path);
    EXPECT_EQ(array.dims, (std::vector<int64_t>{2, 2, 3}));
    EXPECT_EQ(array.data, data);
  }
  write_idx(dir_ + "/short", {2, 2, 4}, data, false);  // header claims 16 bytes, 12 follow
  EXPECT_NE(input_error([&] { read_idx(dir_ + "/short"); }).find("does not match"), std::string::npos);
  write_text(dir_ + "/text", "hello world, not idx");
  EXPECT_NE(input_error([&] { read_idx(dir_ + "/text"); }).find("not an IDX file"), std::string::npos);
  EXPECT_NE(input_error([&] { read_idx(dir_ + "/missing"); }).find("missing"), std::string::npos);

  IdxPair pair;
  EXPECT_FALSE(find_idx_train_split(dir_, &pair));
  write_idx_folder(dir_ + "/mnist", 3, 2, 2, true);
  ASSERT_TRUE(find_idx_train_split(dir_ + "/mnist", &pair));
  EXPECT_EQ(fs::path(pair.labels).filename(), "train-labels-idx1-ubyte.gz");
}

TEST_F(Dataset, FolderConvertsOtherSizesAndChannelsAndCountsUnreadable) {
  const Image8 a = pattern_image(8, 8, 3, 1), b = pattern_image(8, 8, 3, 2);
  const Image8 wide = pattern_image(16, 12, 3, 3), gray = pattern_image(8, 8, 1, 4);
  save_png(dir_ + "/a.png", a);
  save_png(dir_ + "/sub/b.png", b);
  save_png(dir_ + "/sub/c.png", wide);
  save_png(dir_ + "/d.png", gray);
  write_text(dir_ + "/broken.png", "not a png at all");
  write_text(dir_ + "/notes.txt", "ignored");

  auto ds = ImageDataset::open(dir_);
  const auto& info = ds->info();
  EXPECT_EQ(info.raw_size, 4);
  EXPECT_EQ(info.resolution, 8);
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.converted, 2);
  EXPECT_EQ(info.unreadable, 1);
  EXPECT_EQ(info.label_dim, 0);
  // Sorted relative paths: a.png, d.png, sub/b.png, sub/c.png.
  EXPECT_TRUE(torch::equal(ds->get(0).image, chw(a)));
  EXPECT_TRUE(torch::equal(ds->get(2).image, chw(b)));
  const auto gray_rgb = ds->get(1).image;
  EXPECT_TRUE(torch::equal(gray_rgb[0], chw(gray)[0]) && torch::equal(gray_rgb[2], chw(gray)[0]));
  const auto cropped = ds->get(3).image;
  EXPECT_EQ(cropped.sizes(), (std::vector<int64_t>{3, 8, 8}));
  EXPECT_EQ(ds->get(3).label.numel(), 0);

  // A required size and channel count convert every image.
  DatasetOpenOptions opt;
  opt.resolution = 4;
  opt.channels = 1;
  auto small = ImageDataset::open(dir_, opt);
  EXPECT_EQ(small->info().converted, 4);
  EXPECT_EQ(small->get(2).image.sizes(), (std::vector<int64_t>{1, 4, 4}));
}

TEST_F(Dataset, FolderTakesTheMostCommonSizesShorterSideAsPowerOfTwo) {
  save_png(dir_ + "/1.png", pattern_image(24, 20, 1, 1));
  save_png(dir_ + "/2.png", pattern_image(24, 20, 1, 2));
  save_png(dir_ + "/3.png", pattern_image(64, 64, 1, 3));
  auto ds = ImageDataset::open(dir_);
  EXPECT_EQ(ds->info().resolution, 16);
  EXPECT_EQ(ds->info().converted, 3);
  EXPECT_EQ(ds->get(2).image.sizes(), (std::vector<int64_t>{1, 16, 16}));
}

TEST_F(Dataset, EmptyMissingAndUnusableDatasetsAreInputErrors) {
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_ + "/nope"); }).find("not found"), std::string::npos);
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_); }).find("no .png"), std::string::npos);
  write_text(dir_ + "/x.jpg", "garbage");
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_); }).find("unreadable"), std::string::npos);
  write_text(dir_ + "/data.tar", "x");
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_ + "/data.tar"); }), "");
}

TEST_F(Dataset, FolderLabelsFromDatasetJsonAreOneHot) {
  save_png(dir_ + "/a.png", solid_image(4, 4, 1, 1));
  save_png(dir_ + "/b/c.png", solid_image(4, 4, 1, 2));
  write_text(dir_ + "/dataset.json", R"({"labels": [["a.png", 2], ["b/c.png", 0]]})");
  auto ds = ImageDataset::open(dir_);
  EXPECT_EQ(ds->info().label_dim, 3);
  EXPECT_TRUE(torch::equal(ds->get(0).label, torch::tensor({0.f, 0.f, 1.f})));
  EXPECT_TRUE(torch::equal(ds->get(1).label, torch::tensor({1.f, 0.f, 0.f})));
  // Labels alone come without reading the images (the training loop samples 4 x batch of them a step):
  // they still answer after an image file has gone bad.
  write_text(dir_ + "/a.png", "no longer a png");
  EXPECT_TRUE(torch::equal(ds->label(0), torch::tensor({0.f, 0.f, 1.f})));
  EXPECT_FALSE(input_error([&] { ds->get(0); }).empty());
  EXPECT_THROW(ds->label(2), std::out_of_range);
  DatasetOpenOptions flipped;
  flipped.xflip = true;
  save_png(dir_ + "/a.png", solid_image(4, 4, 1, 1));
  auto ds2 = ImageDataset::open(dir_, flipped);
  for (int64_t i = 0; i < ds2->size(); ++i) EXPECT_TRUE(torch::equal(ds2->label(i), ds2->get(i).label)) << i;
  DatasetOpenOptions no_labels;
  no_labels.use_labels = false;
  EXPECT_EQ(ImageDataset::open(dir_, no_labels)->info().label_dim, 0);
  write_text(dir_ + "/dataset.json", R"({"labels": [["a.png", 2]]})");
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_); }).find("b/c.png"), std::string::npos);
}

TEST_F(Dataset, XflipDoublesWithMirroredCopies) {
  const Image8 a = pattern_image(4, 4, 3, 7), b = pattern_image(4, 4, 3, 8);
  save_png(dir_ + "/a.png", a);
  save_png(dir_ + "/b.png", b);
  DatasetOpenOptions opt;
  opt.xflip = true;
  auto ds = ImageDataset::open(dir_, opt);
  EXPECT_EQ(ds->info().raw_size, 2);
  ASSERT_EQ(ds->size(), 4);
  EXPECT_TRUE(torch::equal(ds->get(1).image, chw(b)));
  EXPECT_TRUE(torch::equal(ds->get(3).image, chw(b).flip({2})));
  EXPECT_TRUE(torch::equal(ds->get(2).image, chw(a).flip({2})));
  EXPECT_THROW(ds->get(4), std::out_of_range);
}

TEST_F(Dataset, MaxSizeTakesADeterministicSubset) {
  for (int i = 0; i < 6; ++i) save_png(dir_ + "/" + std::to_string(i) + ".png", solid_image(4, 4, 1, i * 10));
  DatasetOpenOptions opt;
  opt.max_size = 3;
  auto first = ImageDataset::open(dir_, opt), again = ImageDataset::open(dir_, opt);
  ASSERT_EQ(first->size(), 3);
  std::set<int> values;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(first->get(i).image, again->get(i).image));
    values.insert(first->get(i).image[0][0][0].item<int>());
  }
  EXPECT_EQ(values.size(), 3u);
}

TEST(SampleOrder, EveryEpochIsAPermutationAndDeterministic) {
  for (int64_t n : {1, 2, 3, 5, 16, 17, 100, 1000}) {
    std::vector<int64_t> previous;
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      std::vector<int64_t> order;
      for (int64_t i = 0; i < n; ++i) order.push_back(train::sample_index(n, 42, epoch * n + i));
      std::vector<int64_t> sorted = order;
      std::sort(sorted.begin(), sorted.end());
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(sorted[static_cast<size_t>(i)], i) << "n " << n << " epoch " << epoch;
      if (n >= 16) {
        EXPECT_NE(order, previous) << "epochs repeat the order, n " << n;
      }
      previous = order;
    }
  }
  for (int64_t p : {0, 5, 999, 123456})
    EXPECT_EQ(train::sample_index(1000, 7, p), train::sample_index(1000, 7, p));
  int differs = 0;
  for (int64_t p = 0; p < 100; ++p)
    differs += train::sample_index(1000, 7, p) != train::sample_index(1000, 8, p);
  EXPECT_GT(differs, 90);
  int in_place = 0;  // shuffled, not the identity
  for (int64_t p = 0; p < 1000; ++p) in_place += train::sample_index(1000, 7, p) == p;
  EXPECT_LT(in_place, 20);
  EXPECT_THROW(train::sample_index(0, 1, 0), std::invalid_argument);
  EXPECT_THROW(train::sample_index(5, 1, -1), std::invalid_argument);
}

TEST_F(Dataset, DataLoaderFollowsTheSampleOrder) {
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    save_png(dir_ + "/" + std::string(1, static_cast<char>('a' + i)) + ".png", solid_image(4, 4, 1, i));
  }
  write_text(dir_ + "/dataset.json", [&] {
    std::string j = R"({"labels": [)";
    for (int i = 0; i < n; ++i) {
      j += std::string(i ? "," : "") + "[\"" + std::string(1, static_cast<char>('a' + i)) + ".png\", " +
           std::to_string(i % 3) + "]";
    }
    return j + "]}";
  }());
  auto ds = ImageDataset::open(dir_);
  const int batch = 3;
  const int64_t start = 5;
  {
    train::DataLoader loader(ds, batch, 99, start, 3);
    for (int k = 0; k < 8; ++k) {
      const train::Batch b = loader.next();
      ASSERT_EQ(b.images.sizes(), (std::vector<int64_t>{batch, 1, 4, 4}));
      ASSERT_EQ(b.labels.sizes(), (std::vector<int64_t>{batch, 3}));
      EXPECT_EQ(b.position_after, start + (k + 1) * batch);
      for (int i = 0; i < batch; ++i) {
        const int64_t expected = train::sample_index(n, 99, start + k * batch + i);
        EXPECT_EQ(b.images[i][0][0][0].item<int>(), expected);
        EXPECT_EQ(b.labels[i].argmax().item<int64_t>(), expected % 3);
      }
    }
  }  // destroyed with batches still prefetched: joins promptly
  train::DataLoader unused(ds, 2, 1, 0, 2);
}

TEST_F(Dataset, DataLoaderRethrowsAWorkersError) {
  save_png(dir_ + "/a.png", solid_image(4, 4, 1, 1));
  auto ds = ImageDataset::open(dir_);
  fs::remove(dir_ + "/a.png");  // every read now fails
  train::DataLoader loader(ds, 2, 0, 0, 1);
  EXPECT_THROW(loader.next(), InputError);
}

TEST_F(Dataset, DatasetToolFolderHoldsTheZipLayoutAndTrainsLikeIt) {
  write_idx_folder(dir_ + "/mnist", 4, 3, 6, true);
  train::DatasetToolOptions opt;
  opt.source = dir_ + "/mnist";
  opt.dest = dir_ + "/out/mnist8";  // a folder: works without libzip, as dataset_tool.py --dest DIR
  opt.transform = "pad";
  const auto summary = train::write_dataset(opt);
  EXPECT_EQ(summary.images, 4);
  EXPECT_TRUE(fs::is_regular_file(opt.dest + "/00000/img00000003.png"));
  EXPECT_FALSE(fs::exists(opt.dest + ".parts-" + std::to_string(::getpid())));
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(opt.dest + "/dataset.json"))["labels"][2],
            nlohmann::json::parse(R"(["00000/img00000002.png", 2])"));
  auto ds = ImageDataset::open(opt.dest);
  EXPECT_EQ(ds->info().resolution, 8);
  EXPECT_EQ(ds->info().channels, 1);
  EXPECT_EQ(ds->info().label_dim, 4);
  EXPECT_EQ(ds->get(3).label.argmax().item<int64_t>(), 3);
  auto expected = torch::zeros({1, 8, 8}, torch::kUInt8);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 6; ++x) expected[0][y + 2][x + 1] = (1 * 31 + y * 6 + x) % 256;
  EXPECT_TRUE(torch::equal(ds->get(1).image, expected));
  EXPECT_NE(input_error([&] { train::write_dataset(opt); }).find("already exists"), std::string::npos);
}

TEST_F(Dataset, DatasetToolLeavesNoFolderWhenCancelled) {
  write_idx_folder(dir_ + "/mnist", 4, 3, 6, true);
  train::DatasetToolOptions opt;
  opt.source = dir_ + "/mnist";
  opt.dest = dir_ + "/cancelled";
  opt.transform = "pad";
  EXPECT_THROW(train::write_dataset(opt,
                                    [](int64_t done, int64_t) {
                                      if (done == 2) throw InputError("cancelled");
                                    }),
               InputError);
  EXPECT_FALSE(fs::exists(opt.dest));
  EXPECT_FALSE(fs::exists(opt.dest + ".parts-" + std::to_string(::getpid())));
}

#ifdef STYLESCOPE_HAVE_ZIP

std::vector<uint8_t> png_bytes(const Image8& image) {
  return encode_png(image.pixels.data(), image.width, image.height, image.channels);
}

TEST_F(Dataset, DatasetToolZipRoundTripsPixelsAndLabelsInTheOfficialLayout) {
  const std::string src = dir_ + "/src";
  std::vector<Image8> images;
  for (int i = 0; i < 3; ++i) images.push_back(pattern_image(8, 8, 3, 10 + i));
  save_png(src + "/z.png", images[0]);
  save_png(src + "/a/b.png", images[1]);
  save_png(src + "/m.png", images[2]);
  write_text(src + "/dataset.json", R"({"labels": [["z.png", 4], ["a/b.png", 1], ["m.png", 0]]})");
  train::DatasetToolOptions opt;
  opt.source = src;
  opt.dest = dir_ + "/out.zip";
  int64_t reported = 0;
  const auto summary = train::write_dataset(opt, [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 3);
    reported = done;
  });
  EXPECT_EQ(reported, 3);
  EXPECT_EQ(summary.images, 3);
  EXPECT_TRUE(summary.labeled);
  EXPECT_FALSE(fs::exists(dir_ + "/out.zip.parts-" + std::to_string(::getpid())));

  ZipReader zip = ZipReader::open(opt.dest);
  EXPECT_EQ(zip.names(), (std::vector<std::string>{"00000/img00000000.png", "00000/img00000001.png",
                                                   "00000/img00000002.png", "dataset.json"}));
  int err = 0;
  zip_t* raw = zip_open(opt.dest.c_str(), ZIP_RDONLY, &err);
  ASSERT_NE(raw, nullptr);
  for (zip_int64_t i = 0; i < zip_get_num_entries(raw, 0); ++i) {
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(raw, static_cast<zip_uint64_t>(i), 0, &st), 0);
    EXPECT_EQ(st.comp_method, ZIP_CM_STORE) << st.name;
  }
  zip_discard(raw);
  const ByteBuffer json = zip.read(3);
  EXPECT_EQ(nlohmann::json::parse(std::string(reinterpret_cast<const char*>(json.data), json.size)),
            nlohmann::json::parse(R"({"labels": [["00000/img00000000.png", 1], ["00000/img00000001.png", 0],
                                                 ["00000/img00000002.png", 4]]})"));

  auto ds = ImageDataset::open(opt.dest);  // sorted source order: a/b.png, m.png, z.png
  EXPECT_EQ(ds->info().resolution, 8);
  EXPECT_EQ(ds->info().channels, 3);
  EXPECT_EQ(ds->info().label_dim, 5);
  EXPECT_TRUE(torch::equal(ds->get(0).image, chw(images[1])));
  EXPECT_TRUE(torch::equal(ds->get(1).image, chw(images[2])));
  EXPECT_TRUE(torch::equal(ds->get(2).image, chw(images[0])));
  EXPECT_EQ(ds->get(2).label.argmax().item<int64_t>(), 4);

  // Never overwritten.
  EXPECT_NE(input_error([&] { train::write_dataset(opt); }).find("already exists"), std::string::npos);
}

TEST_F(Dataset, IdxPadsCentredWithBlackToThePowerOfTwo) {
  write_idx_folder(dir_ + "/mnist", 4, 3, 6, true);  // 3 rows x 6 columns -> 8x8, offset x 1, y 2
  train::DatasetToolOptions opt;
  opt.source = dir_ + "/mnist";
  opt.dest = dir_ + "/mnist.zip";
  opt.transform = "pad";
  const auto summary = train::write_dataset(opt);
  EXPECT_EQ(summary.kind, "idx");
  EXPECT_EQ(summary.resolution, 8);
  auto ds = ImageDataset::open(opt.dest);
  EXPECT_EQ(ds->info().channels, 1);
  EXPECT_EQ(ds->info().label_dim, 4);  // labels 0..3
  for (int i = 0; i < 4; ++i) {
    const auto item = ds->get(i);
    auto expected = torch::zeros({1, 8, 8}, torch::kUInt8);
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 6; ++x) expected[0][y + 2][x + 1] = (i * 31 + y * 6 + x) % 256;
    EXPECT_TRUE(torch::equal(item.image, expected)) << i;
    EXPECT_EQ(item.label.argmax().item<int64_t>(), i % 10);
  }
}

TEST_F(Dataset, ZipsMustBeUniformAndMatchTheRequiredSize) {
  const auto a = png_bytes(solid_image(8, 8, 3, 1)), b = png_bytes(solid_image(16, 16, 3, 1));
  const auto zip = build_zip(
      {{"00000/img00000000.png", a.data(), a.size()}, {"00000/img00000001.png", b.data(), b.size()}}, false,
      "mixed.zip");
  write_text(dir_ + "/mixed.zip", std::string(zip.begin(), zip.end()));
  const std::string mixed = input_error([&] { ImageDataset::open(dir_ + "/mixed.zip"); });
  EXPECT_NE(mixed.find("img00000001.png"), std::string::npos) << mixed;
  EXPECT_NE(mixed.find("mixed"), std::string::npos) << mixed;

  const auto one = build_zip({{"x.png", a.data(), a.size()}}, false, "one.zip");
  write_text(dir_ + "/one.zip", std::string(one.begin(), one.end()));
  DatasetOpenOptions opt;
  opt.resolution = 32;
  const std::string wrong = input_error([&] { ImageDataset::open(dir_ + "/one.zip", opt); });
  EXPECT_NE(wrong.find("x.png"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("8x8"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("32x32"), std::string::npos) << wrong;
  DatasetOpenOptions gray;
  gray.channels = 1;
  EXPECT_NE(input_error([&] { ImageDataset::open(dir_ + "/one.zip", gray); }).find("channels"),
            std::string::npos);
  EXPECT_EQ(ImageDataset::open(dir_ + "/one.zip")->size(), 1);
}

#endif

}  // namespace
}  // namespace stylescope::test

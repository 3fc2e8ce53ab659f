// SeFa parity: directions and eigenvalues equal those of tests/fixtures/make_sefa_references.py (numpy on the
// official modules' weights, layer numbering observed from the official forward), and the model hash
// equals the one computed there from the official state dict, for a .pkl and its converted .safetensors.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/latent/direction_compute.h"
#include "core/model/model_file.h"
#include "core/model/model_hash.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

nlohmann::json sefa_manifest() {
  std::ifstream in(kFixtures + "/ref/sefa/sefa.json");
  return nlohmann::json::parse(in);
}

// to_torch() rounds to float32; the eigenvalues are stored in float64 and compared at that precision.
torch::Tensor ref_npy(const std::string& relative) {
  const RawTensor raw = read_npy(kFixtures + "/ref/" + relative);
  if (raw.dtype != DType::Float64) return to_torch(raw).to(torch::kFloat64);
  auto t = torch::empty(raw.shape, torch::kFloat64);
  std::memcpy(t.data_ptr<double>(), raw.storage.data + raw.offset * 8, raw.numel() * 8);
  return t;
}

TEST(Sefa, StyleAffinesAreNumberedAsTheOfficialForwardReadsThem) {
  const auto manifest = sefa_manifest();
  ASSERT_EQ(manifest.size(), 3u);
  for (const auto& [fixture, entry] : manifest.items()) {
    SCOPED_TRACE(fixture);
    LoadedModel m = load_model(kFixtures + "/" + fixture + ".pkl");
    const auto affines = style_affines(m.G);
    ASSERT_EQ(affines.size(), entry["sefa_layers"].size());
    for (size_t i = 0; i < affines.size(); ++i) {
      EXPECT_EQ(affines[i].ws_index, static_cast<int>(i));
      EXPECT_EQ(affines[i].name, entry["sefa_layers"][std::to_string(i)].get<std::string>());
    }
  }
}

TEST(Sefa, MatchesTheNumpyReferenceForEveryFixtureAndLayerChoice) {
  int checked = 0;
  const auto manifest = sefa_manifest();
  for (const auto& [fixture, entry] : manifest.items()) {
    LoadedModel m = load_model(kFixtures + "/" + fixture + ".pkl");
    for (const auto& [name, c] : entry["cases"].items()) {
      SCOPED_TRACE(fixture + " " + name);
      const auto layers = c["layers"].get<std::vector<int>>();
      const auto ref_vectors = ref_npy(c["files"]["vectors"]);
      const auto ref_values = ref_npy(c["files"]["values"]);
      const int k = static_cast<int>(ref_values.size(0));  // all w_dim directions
      const DirectionSet set = sefa_directions(m.G, name == "all" ? std::vector<int>{} : layers, k);
      ASSERT_EQ(set.size(), k);
      EXPECT_EQ(set.method, "sefa");
      EXPECT_EQ(set.details["factorized_layers"].get<std::vector<int>>(), layers);
      const auto vectors = set.vectors.to(torch::kFloat64);
      const double top = ref_values[0].item<double>();
      for (int i = 0; i < k; ++i) {
        EXPECT_NEAR(*set.directions[i].eigenvalue, ref_values[i].item<double>(), 1e-9 * top)
            << "direction " << i;
        EXPECT_EQ(set.directions[i].layers, layers);
        EXPECT_EQ(set.directions[i].scale, 1.0);
        // Up to sign (both sides also pick the same sign by the documented convention).
        const double same = (vectors[i] - ref_vectors[i]).abs().max().item<double>();
        const double flipped = (vectors[i] + ref_vectors[i]).abs().max().item<double>();
        EXPECT_LT(std::min(same, flipped), 1e-5) << "direction " << i;
        EXPECT_LT(same, 1e-5) << "sign convention, direction " << i;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);
}

TEST(Sefa, RejectsMoreDirectionsThanWDimensions) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  EXPECT_THROW(sefa_directions(m.G, {}, 33), InputError);
  EXPECT_THROW(sefa_directions(m.G, {}, 0), InputError);
}

TEST(ModelHash, EqualsTheReferenceAndSurvivesConversionToSafetensors) {
  const auto manifest = sefa_manifest();
  for (const auto& [fixture, entry] : manifest.items()) {
    SCOPED_TRACE(fixture);
    LoadedModel m = load_model(kFixtures + "/" + fixture + ".pkl");
    const std::string hash = model_hash(*m.G);
    EXPECT_EQ(hash, entry["model_hash"].get<std::string>());
    const auto path =
        std::filesystem::temp_directory_path() / ("stylescope_hash_" + fixture + ".safetensors");
    save_model_safetensors(path.string(), m);
    LoadedModel converted = load_model(path.string());
    EXPECT_EQ(model_hash(*converted.G), hash);
    std::filesystem::remove(path);
  }
  // A different network hashes differently, and so does a changed weight.
  LoadedModel a = load_model(kFixtures + "/skip_rgb32.pkl");
  const std::string before = model_hash(*a.G);
  {
    torch::NoGradGuard guard;
    a.G->synthesis->blocks.back()->torgb->bias[0] += 1e-6f;
  }
  EXPECT_NE(model_hash(*a.G), before);
}

}  // namespace
}  // namespace stylescope

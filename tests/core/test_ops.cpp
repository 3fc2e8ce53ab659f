// Every inference fast path against the reference composition it replaces, on random inputs and weights:
// the sub-pixel up-sampling convolutions (folded and phase forms, grouped or not), the fused epilogue,
// the image up-sampling kernel, oneDNN-routed conv2d, the SynthesisLayer paths and the caching allocator.
#include <gtest/gtest.h>

#include <cmath>

#include "core/model/cpu_allocator.h"
#include "core/model/cpu_kernels.h"
#include "core/model/layers.h"
#include "core/model/ops.h"

namespace stylescope {
namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

// Reference epilogue with ATen ops, in the order of the official code.
torch::Tensor epilogue_reference(torch::Tensor y, const kernels::Epilogue& e) {
  const int64_t n = y.size(0), c = y.size(1);
  if (e.demod.defined()) y = y * e.demod.reshape({n, c, 1, 1});
  if (e.noise.defined()) y = y + e.noise;
  if (e.bias.defined()) y = y + e.bias.reshape({1, c, 1, 1});
  if (e.lrelu) y = torch::leaky_relu(y, 0.2);
  y = y * e.gain;
  if (e.clamp >= 0) y = y.clamp(-e.clamp, e.clamp);
  return y;
}

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(1234); }
  torch::NoGradGuard no_grad;
  torch::Tensor f = ops::setup_filter();
};

TEST_F(OpsTest, UpConvolutionFastFormsMatchTheTransposedConvolution) {
  for (int64_t groups : {1, 3}) {
    for (auto hw : {std::pair<int64_t, int64_t>{4, 4}, {5, 7}}) {
      SCOPED_TRACE("groups " + std::to_string(groups) + " size " + std::to_string(hw.first) + "x" +
                   std::to_string(hw.second));
      auto x = torch::randn({groups == 1 ? 2 : 1, 5 * groups, hw.first, hw.second});
      auto w = torch::randn({4 * groups, 5, 3, 3});
      auto ref = ops::conv3x3_up2_reference(x, w, f, groups);
      ASSERT_EQ(ref.size(2), 2 * hw.first);
      ASSERT_EQ(ref.size(3), 2 * hw.second);
      const double scale = ref.abs().max().item<double>();
      EXPECT_LT(max_abs_diff(ops::conv3x3_up2_folded(x, ops::fold_up2_weight(w), groups), ref), 1e-5 * scale);
      auto fast = ops::conv3x3_up2_phases(x, ops::split_up2_weight(w), groups);
      EXPECT_TRUE(fast.is_contiguous(torch::MemoryFormat::ChannelsLast));
      EXPECT_LT(max_abs_diff(fast, ref), 1e-5 * scale);
    }
  }
}

TEST_F(OpsTest, PhaseFirWithEpilogueMatchesTheComposition) {
  auto x = torch::randn({2, 6, 5, 6});
  auto w = torch::randn({8, 6, 3, 3});
  kernels::Epilogue e;
  e.demod = torch::rand({2, 8}) + 0.5;
  e.noise = torch::randn({2, 1, 10, 12});
  e.bias = torch::randn({8});
  e.gain = std::sqrt(2.0);
  e.clamp = 3.0;  // small enough to bite
  auto ref = epilogue_reference(ops::conv3x3_up2_reference(x, w, f), e);
  auto fast = ops::conv3x3_up2_phases(x, ops::split_up2_weight(w), 1, &e);
  EXPECT_LT(max_abs_diff(fast, ref), 1e-5 * ref.abs().max().item<double>());
  EXPECT_GT((ref.abs() == 3.0).sum().item<int64_t>(), 0) << "the clamp was not exercised";
}

TEST_F(OpsTest, EpilogueMatchesAtenInBothLayouts) {
  for (bool channels_last : {false, true}) {
    for (bool per_sample_noise : {false, true}) {
      for (bool lrelu : {false, true}) {
        SCOPED_TRACE(std::to_string(channels_last) + std::to_string(per_sample_noise) +
                     std::to_string(lrelu));
        // 37 channels and 9x11 pixels: remainders after the 4-lane loops in both layouts.
        auto y = torch::randn({3, 37, 9, 11});
        kernels::Epilogue e;
        e.demod = torch::rand({3, 37});
        e.noise = per_sample_noise ? torch::randn({3, 1, 9, 11}) : torch::randn({9, 11});
        e.bias = torch::randn({37});
        e.lrelu = lrelu;
        e.gain = 1.7;
        e.clamp = lrelu ? 1.0 : -1.0;
        auto ref = epilogue_reference(y, e);
        auto fast = channels_last ? y.contiguous(torch::MemoryFormat::ChannelsLast) : y.clone();
        kernels::apply_epilogue_(fast, e);
        EXPECT_LT(max_abs_diff(fast, ref), 1e-6);
      }
    }
  }
}

TEST_F(OpsTest, ImageUpsamplingMatchesUpfirdn2d) {
  auto x = torch::randn({2, 3, 9, 13});
  auto ref = ops::upfirdn2d(x, f, 2, 1, 2, 1, 2, 1, 4.0);
  EXPECT_LT(max_abs_diff(ops::upsample2d(x, f), ref), 1e-6);
  EXPECT_LT(max_abs_diff(kernels::upsample2d_nchw(x), ref), 1e-6);
  // A filter other than [1,3,3,1] must not take the built-in fast path.
  auto g = torch::rand({4, 4});
  g = g / g.sum();
  EXPECT_FALSE(ops::is_default_filter(g));
  EXPECT_LT(max_abs_diff(ops::upsample2d(x, g), ops::upfirdn2d(x, g, 2, 1, 2, 1, 2, 1, 4.0)), 1e-6);
}

TEST_F(OpsTest, Conv2dMatchesAtenIncludingSmallBatchOneInputs) {
  for (int64_t hw : {4, 16}) {
    auto x = torch::randn({1, 64, hw, hw});
    auto w = torch::randn({32, 64, 2, 1});
    const int64_t st[2] = {1, 1}, pad[2] = {1, 0}, dil[2] = {1, 1};
    auto ref = torch::conv2d(x, w, {}, st, pad, dil, 1);
    EXPECT_LT(max_abs_diff(ops::conv2d(x, w, 1, 1, 0, 1), ref), 1e-4);
    EXPECT_LT(max_abs_diff(ops::conv2d(x.contiguous(torch::MemoryFormat::ChannelsLast), w, 1, 1, 0, 1), ref),
              1e-4);
  }
}

// The fast SynthesisLayer paths (fused and shared-weight, per-layer automatic choice) against the ATen
// path with the official transposed convolution, for both kinds of layer and batch sizes 1 and 2.
TEST_F(OpsTest, SynthesisLayerFastPathsMatchTheReferencePath) {
  for (int up : {1, 2}) {
    SynthesisLayer layer(12, 8, 16, 8, up, true, 0.5);  // a conv_clamp that bites
    layer->noise_strength.fill_(0.3);
    layer->bias.normal_();
    for (int64_t n : {1, 2}) {
      auto x = torch::randn({n, 12, 8 / up, 8 / up});
      auto w = torch::randn({n, 16});
      ForwardOptions ref_opt;
      ref_opt.reference_upsampling = true;
      ref_opt.fused_modconv = false;
      auto ref = layer->forward(x, w, ref_opt);
      for (int mode = 0; mode < 3; ++mode) {
        SCOPED_TRACE("up " + std::to_string(up) + " batch " + std::to_string(n) + " mode " +
                     std::to_string(mode));
        ForwardOptions opt;
        if (mode < 2) opt.fused_modconv = mode == 1;
        EXPECT_LT(max_abs_diff(layer->forward(x, w, opt), ref), 1e-5);
        // Changing the weights must invalidate the cached derived kernels.
        if (mode == 2) {
          layer->weight.mul_(0.5);
          auto ref2 = layer->forward(x, w, ref_opt);
          EXPECT_LT(max_abs_diff(layer->forward(x, w, opt), ref2), 1e-5);
          layer->weight.mul_(2.0);
        }
      }
    }
  }
}

TEST(CpuAllocator, ReusesLargeBlocksAndKeepsDataIntact) {
  use_caching_cpu_allocator();
  release_cached_cpu_memory();
  const int64_t numel = 3 << 20;  // 12 MiB
  void* first = nullptr;
  {
    auto a = torch::full({numel}, 2.0f);
    first = a.data_ptr();
  }
  EXPECT_GE(cached_cpu_bytes(), static_cast<size_t>(numel) * 4);
  auto b = torch::full({numel}, 3.0f);
  EXPECT_EQ(b.data_ptr(), first);
  EXPECT_EQ(b.sum().item<double>(), 3.0 * numel);
  auto small = torch::ones({100});
  EXPECT_EQ(small.sum().item<double>(), 100.0);
  release_cached_cpu_memory();
  EXPECT_EQ(cached_cpu_bytes(), 0u);
}

}  // namespace
}  // namespace stylescope

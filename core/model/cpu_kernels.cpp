#include "core/model/cpu_kernels.h"

#include <ATen/Parallel.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <optional>
#include <vector>

namespace stylescope::kernels {

namespace {

// The 1-D factor of the [1,3,3,1] FIR with the up-sampling gain (2 per axis).
constexpr float kNear = 0.75f, kFar = 0.25f;

// Where a tensor is contiguous in both layouts (C == 1 or H == W == 1) the two readings coincide.
bool channels_last(const torch::Tensor& x) {
  return x.dim() == 4 && x.is_contiguous(torch::MemoryFormat::ChannelsLast);
}

// An Epilogue resolved to raw pointers for one sample n. scale/shift are per channel (demod or 1, bias or 0).
struct Finish {
  std::vector<float> scale, shift;  // [N*C], [C]
  const float* noise = nullptr;     // [H*W] plane of sample n is noise + n * noise_stride
  int64_t noise_stride = 0;
  bool lrelu = false, do_clamp = false;
  float gain = 1.0f, clamp = 0.0f;
  torch::Tensor noise_holder;

  Finish(const Epilogue& e, int64_t n, int64_t c, int64_t h, int64_t w) : scale(n * c, 1.0f), shift(c, 0.0f) {
    if (e.demod.defined()) {
      auto d = e.demod.to(torch::kFloat32).contiguous();
      TORCH_CHECK(d.numel() == n * c, "epilogue: demod must be [N, C]");
      std::copy(d.data_ptr<float>(), d.data_ptr<float>() + n * c, scale.begin());
    }
    if (e.bias.defined()) {
      auto b = e.bias.to(torch::kFloat32).contiguous();
      TORCH_CHECK(b.numel() == c, "epilogue: bias must be [C]");
      std::copy(b.data_ptr<float>(), b.data_ptr<float>() + c, shift.begin());
    }
    if (e.noise.defined()) {
      noise_holder = e.noise.to(torch::kFloat32).contiguous();
      const int64_t planes = noise_holder.numel() / (h * w);
      TORCH_CHECK(noise_holder.numel() == planes * h * w && (planes == 1 || planes == n),
                  "epilogue: noise must be [H, W] or [N, 1, H, W]");
      noise = noise_holder.data_ptr<float>();
      noise_stride = planes == 1 ? 0 : h * w;
    }
    lrelu = e.lrelu;
    gain = static_cast<float>(e.gain);
    do_clamp = e.clamp >= 0;
    clamp = static_cast<float>(e.clamp);
  }

  float noise_at(int64_t n, int64_t offset) const { return noise ? noise[n * noise_stride + offset] : 0.0f; }

  // `count` channels-last pixels of sample n starting at flat pixel `offset` of its plane: c channels each.
  void pixels(float* v, int64_t count, int64_t c, int64_t n, int64_t offset) const {
    const float* nz = noise ? noise + n * noise_stride + offset : nullptr;
    if (lrelu && do_clamp) return pixels_t<true, true>(v, count, c, scale.data() + n * c, nz);
    if (lrelu) return pixels_t<true, false>(v, count, c, scale.data() + n * c, nz);
    if (do_clamp) return pixels_t<false, true>(v, count, c, scale.data() + n * c, nz);
    pixels_t<false, false>(v, count, c, scale.data() + n * c, nz);
  }

  // One NCHW plane (sample n, channel ch) of hw samples.
  void plane(float* v, int64_t hw, int64_t n, int64_t ch, int64_t c) const {
    const float* nz = noise ? noise + n * noise_stride : nullptr;
    if (lrelu && do_clamp) return plane_t<true, true>(v, hw, scale[n * c + ch], shift[ch], nz);
    if (lrelu) return plane_t<true, false>(v, hw, scale[n * c + ch], shift[ch], nz);
    if (do_clamp) return plane_t<false, true>(v, hw, scale[n * c + ch], shift[ch], nz);
    plane_t<false, false>(v, hw, scale[n * c + ch], shift[ch], nz);
  }

 private:
  // Same order of operations as the ATen path: v * demod + noise, + bias, lrelu, * gain, clamp.
  template <bool kLrelu, bool kClamp>
  static float finish(float t, float sc, float nz, float sh, float gain, float lim) {
    t = t * sc + nz + sh;
    if (kLrelu) t = t < 0.0f ? t * 0.2f : t;
    t *= gain;
    if (kClamp) t = std::min(std::max(t, -lim), lim);
    return t;
  }

#ifdef __SSE2__
  // The same with SSE2 (the x86-64 baseline), four lanes. Written out because the compiler turns the
  // lrelu select into a branch, which mispredicts on about half of all samples.
  template <bool kLrelu, bool kClamp>
  static __m128 finish4(__m128 t, __m128 sc, __m128 nz, __m128 sh, __m128 gain, __m128 lim) {
    t = _mm_add_ps(_mm_add_ps(_mm_mul_ps(t, sc), nz), sh);
    if (kLrelu) {
      const __m128 neg = _mm_cmplt_ps(t, _mm_setzero_ps());
      t = _mm_mul_ps(t, _mm_or_ps(_mm_and_ps(neg, _mm_set1_ps(0.2f)), _mm_andnot_ps(neg, _mm_set1_ps(1.0f))));
    }
    t = _mm_mul_ps(t, gain);
    // Bound first: max/min return their second operand when either is NaN, so NaN propagates like clamp.
    if (kClamp) t = _mm_min_ps(lim, _mm_max_ps(_mm_sub_ps(_mm_setzero_ps(), lim), t));
    return t;
  }
#endif

  template <bool kLrelu, bool kClamp>
  void pixels_t(float* v, int64_t count, int64_t c, const float* sc, const float* nz) const {
    const float* sh = shift.data();
    for (int64_t p = 0; p < count; ++p, v += c) {
      const float z = nz ? nz[p] : 0.0f;
      int64_t i = 0;
#ifdef __SSE2__
      const __m128 z4 = _mm_set1_ps(z), g4 = _mm_set1_ps(gain), lim4 = _mm_set1_ps(clamp);
      for (; i + 4 <= c; i += 4)
        _mm_storeu_ps(v + i, finish4<kLrelu, kClamp>(_mm_loadu_ps(v + i), _mm_loadu_ps(sc + i), z4,
                                                     _mm_loadu_ps(sh + i), g4, lim4));
#endif
      for (; i < c; ++i) v[i] = finish<kLrelu, kClamp>(v[i], sc[i], z, sh[i], gain, clamp);
    }
  }

  template <bool kLrelu, bool kClamp>
  void plane_t(float* v, int64_t hw, float sc, float sh, const float* nz) const {
    int64_t i = 0;
#ifdef __SSE2__
    const __m128 sc4 = _mm_set1_ps(sc), sh4 = _mm_set1_ps(sh), g4 = _mm_set1_ps(gain),
                 lim4 = _mm_set1_ps(clamp);
    for (; i + 4 <= hw; i += 4) {
      const __m128 z4 = nz ? _mm_loadu_ps(nz + i) : _mm_setzero_ps();
      _mm_storeu_ps(v + i, finish4<kLrelu, kClamp>(_mm_loadu_ps(v + i), sc4, z4, sh4, g4, lim4));
    }
#endif
    for (; i < hw; ++i) v[i] = finish<kLrelu, kClamp>(v[i], sc, nz ? nz[i] : 0.0f, sh, gain, clamp);
  }
};

// dst[i] (+)= a * src[i] over n channels.
inline void axpy(float* __restrict dst, const float* __restrict src, float a, int64_t n, bool first) {
  if (first) {
    for (int64_t i = 0; i < n; ++i) dst[i] = a * src[i];
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] += a * src[i];
  }
}

// Output pixels 2x and 2x+1 from e = te + x*c (e[x], e[x+1]) and o = to + x*c (o[x-1], o[x], o[x+1]).
inline void column_pair(float* __restrict d, const float* __restrict e, const float* __restrict o,
                        int64_t c) {
  for (int64_t i = 0; i < c; ++i) {
    d[i] = kFar * o[i] + kNear * e[i] + kNear * o[c + i] + kFar * e[c + i];
    d[c + i] = kFar * e[i] + kNear * o[c + i] + kNear * e[c + i] + kFar * o[2 * c + i];
  }
}

}  // namespace

bool usable(const torch::Tensor& x) {
  if (!x.defined() || !x.device().is_cpu() || x.scalar_type() != torch::kFloat32 || x.dim() != 4)
    return false;
  if (torch::GradMode::is_enabled() && x.requires_grad()) return false;
  return x.is_contiguous() || x.is_contiguous(torch::MemoryFormat::ChannelsLast);
}

void apply_epilogue_(torch::Tensor& x, const Epilogue& e) {
  TORCH_CHECK(usable(x), "apply_epilogue_: unsupported tensor");
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const Finish f(e, n, c, h, w);
  float* data = x.data_ptr<float>();
  if (channels_last(x)) {
    // Chunks of whole rows keep each chunk within one sample.
    at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) f.pixels(data + r * w * c, w, c, r / h, (r % h) * w);
    });
  } else {
    at::parallel_for(0, n * c, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) f.plane(data + p * h * w, h * w, p / c, p % c, c);
    });
  }
}

torch::Tensor fir_up2_phases(const torch::Tensor& ee, const torch::Tensor& eo, const torch::Tensor& oe,
                             const torch::Tensor& oo, const Epilogue* e) {
  const int64_t n = oo.size(0), c = oo.size(1), h = oo.size(2), w = oo.size(3);
  for (const auto* t : {&ee, &eo, &oe, &oo})
    TORCH_CHECK(usable(*t) && channels_last(*t), "fir_up2_phases: phases must be channels-last fp32");
  TORCH_CHECK(ee.sizes() == torch::IntArrayRef({n, c, h + 1, w + 1}) &&
                  eo.sizes() == torch::IntArrayRef({n, c, h + 1, w}) &&
                  oe.sizes() == torch::IntArrayRef({n, c, h, w + 1}),
              "fir_up2_phases: inconsistent phase shapes");
  auto out =
      torch::empty({n, c, 2 * h, 2 * w}, oo.options().memory_format(torch::MemoryFormat::ChannelsLast));
  std::optional<Finish> finish;
  if (e) finish.emplace(*e, n, c, 2 * h, 2 * w);
  const float *pee = ee.data_ptr<float>(), *peo = eo.data_ptr<float>(), *poe = oe.data_ptr<float>(),
              *poo = oo.data_ptr<float>();
  float* pout = out.data_ptr<float>();
  at::parallel_for(0, n * 2 * h, 1, [&](int64_t begin, int64_t end) {
    // Row-combined even-x samples (w+1) and odd-x samples (w, with a zero pixel at each end).
    std::vector<float> te((w + 1) * c), to((w + 2) * c, 0.0f);
    for (int64_t row = begin; row < end; ++row) {
      const int64_t s = row / (2 * h), r = row % (2 * h), b = r / 2, py = r % 2;
      // Output row 2b+py mixes z rows 2b-1..2b+2 (py=0) or 2b..2b+3 (py=1): even rows b, b+1 come from
      // ee/eo, odd rows from oe/oo (odd row -1 and h lie outside z: zero).
      const float ew0 = py ? kFar : kNear, ew1 = py ? kNear : kFar;
      const int64_t orow0 = py ? b : b - 1, orow1 = py ? b + 1 : b;
      const float ow0 = py ? kNear : kFar, ow1 = py ? kFar : kNear;
      const float* ee0 = pee + ((s * (h + 1) + b) * (w + 1)) * c;
      const float* eo0 = peo + ((s * (h + 1) + b) * w) * c;
      axpy(te.data(), ee0, ew0, (w + 1) * c, true);
      axpy(te.data(), ee0 + (w + 1) * c, ew1, (w + 1) * c, false);
      axpy(to.data() + c, eo0, ew0, w * c, true);
      axpy(to.data() + c, eo0 + w * c, ew1, w * c, false);
      for (int k = 0; k < 2; ++k) {
        const int64_t orow = k ? orow1 : orow0;
        if (orow < 0 || orow >= h) continue;
        const float ow = k ? ow1 : ow0;
        axpy(te.data(), poe + ((s * h + orow) * (w + 1)) * c, ow, (w + 1) * c, false);
        axpy(to.data() + c, poo + ((s * h + orow) * w) * c, ow, w * c, false);
      }
      // Columns the same way: out[2x] = .25 o[x-1] + .75 e[x] + .75 o[x] + .25 e[x+1],
      // out[2x+1] = .25 e[x] + .75 o[x] + .75 e[x+1] + .25 o[x+1], with o shifted by one (zero ends).
      float* dst = pout + row * 2 * w * c;
      for (int64_t x = 0; x < w; ++x) column_pair(dst + 2 * x * c, te.data() + x * c, to.data() + x * c, c);
      if (finish) finish->pixels(dst, 2 * w, c, s, r * 2 * w);
    }
  });
  return out;
}

torch::Tensor upsample2d_nchw(const torch::Tensor& x_in) {
  TORCH_CHECK(usable(x_in), "upsample2d_nchw: unsupported tensor");
  const auto x = x_in.contiguous();
  const int64_t planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
  auto out = torch::empty({x.size(0), x.size(1), 2 * h, 2 * w}, x.options());
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  // Per axis: out[2i] = .25 x[i-1] + .75 x[i], out[2i+1] = .75 x[i] + .25 x[i+1] (zero outside).
  at::parallel_for(0, planes * 2 * h, 16, [&](int64_t begin, int64_t end) {
    std::vector<float> row(w + 2, 0.0f);  // the y-filtered input row, zero-padded by one on each side
    for (int64_t k = begin; k < end; ++k) {
      const int64_t p = k / (2 * h), r = k % (2 * h), i = r / 2;
      const int64_t other = r % 2 ? i + 1 : i - 1;  // the far input row
      const float* near_row = src + (p * h + i) * w;
      const float* far_row = (other >= 0 && other < h) ? src + (p * h + other) * w : nullptr;
      for (int64_t j = 0; j < w; ++j) row[j + 1] = kNear * near_row[j] + (far_row ? kFar * far_row[j] : 0.0f);
      float* o = dst + k * 2 * w;
      for (int64_t j = 0; j < w; ++j) {
        o[2 * j] = kFar * row[j] + kNear * row[j + 1];
        o[2 * j + 1] = kNear * row[j + 1] + kFar * row[j + 2];
      }
    }
  });
  return out;
}

}  // namespace stylescope::kernels

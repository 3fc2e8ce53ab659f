#include "core/train/loss.h"

#include <cmath>

namespace stylescope::train {

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::Gmain:
      return "Gmain";
    case Phase::Greg:
      return "Greg";
    case Phase::Gboth:
      return "Gboth";
    case Phase::Dmain:
      return "Dmain";
    case Phase::Dreg:
      return "Dreg";
    case Phase::Dboth:
      return "Dboth";
  }
  return "?";
}

int64_t TorchLossRandom::mixing_cutoff(int64_t num_ws, double prob) {
  const int64_t cutoff = torch::empty({}, torch::kInt64).random_(1, num_ws).item<int64_t>();
  const double u = torch::rand({}).item<double>();
  return u < prob ? cutoff : num_ws;
}

// Drawn from the CPU generator and then moved, as the latents of the step: a CUDA run draws the same values
// from the same seed as a CPU run (randn_like on a CUDA tensor would use the CUDA generator, whose state
// snapshots do not keep). The division happens on the CPU too (CUDA divides by a scalar as a multiply by its
// reciprocal, which rounds differently).
torch::Tensor TorchLossRandom::mixing_z(const torch::Tensor& z) {
  return torch::randn_like(z, torch::TensorOptions().device(torch::kCPU)).to(z.device());
}

torch::Tensor TorchLossRandom::pl_noise(const torch::Tensor& img) {
  return (torch::randn_like(img, torch::TensorOptions().device(torch::kCPU)) /
          std::sqrt(static_cast<double>(img.size(2) * img.size(3))))
      .to(img.device());
}

namespace {

// The first `pairs` rows' classes again for the next `pairs` rows (rows past 2 * pairs keep theirs).
torch::Tensor paired_classes(const torch::Tensor& c, int64_t pairs) {
  if (!c.defined() || c.size(1) == 0) return c;
  torch::Tensor paired = c.clone();
  paired.slice(0, pairs, 2 * pairs).copy_(c.slice(0, 0, pairs));
  return paired;
}

}  // namespace

StyleGAN2Loss::StyleGAN2Loss(Generator G, DiscriminatorFn D, LossSettings settings, LossRandom& random)
    : pl_mean(torch::zeros({})), G_(std::move(G)), D_(std::move(D)), settings_(settings), random_(random) {}

std::pair<torch::Tensor, torch::Tensor> StyleGAN2Loss::run_G(const torch::Tensor& z, const torch::Tensor& c,
                                                             int64_t noise_pairs) {
  auto& mapping = G_->mapping;
  torch::Tensor ws = mapping->forward(z, c);
  if (settings_.style_mixing_prob > 0) {
    const int64_t num_ws = ws.size(1);
    const int64_t cutoff = random_.mixing_cutoff(num_ws, settings_.style_mixing_prob);
    const torch::Tensor z2 = random_.mixing_z(z);
    // The second mapping must not move w_avg (official skip_w_avg_update): the mapping's only
    // training-mode behaviour is that update, so it runs in eval mode here.
    const bool was_training = mapping->is_training();
    mapping->eval();
    torch::Tensor ws2 = mapping->forward(z2, c);
    mapping->train(was_training);
    if (cutoff < num_ws) ws = torch::cat({ws.slice(1, 0, cutoff), ws2.slice(1, cutoff)}, 1);
  }
  ForwardOptions options;
  options.noise_mode = settings_.noise_mode;
  options.fused_modconv = false;  // the official synthesis in training mode
  options.noise_pairs = noise_pairs;
  torch::Tensor img = G_->synthesis->forward(ws, options);
  return {img, ws};
}

void StyleGAN2Loss::accumulate_gradients(Phase phase, const torch::Tensor& real_img,
                                         const torch::Tensor& real_c, const torch::Tensor& gen_z,
                                         const torch::Tensor& gen_c, double gain, TrainingStats* stats) {
  const bool do_Gmain = phase == Phase::Gmain || phase == Phase::Gboth;
  const bool do_Dmain = phase == Phase::Dmain || phase == Phase::Dboth;
  const bool do_Gpl = (phase == Phase::Greg || phase == Phase::Gboth) && settings_.pl_weight != 0;
  const bool do_Dr1 = (phase == Phase::Dreg || phase == Phase::Dboth) && settings_.r1_gamma != 0;
  auto report = [&](const char* name, const torch::Tensor& t) {
    if (stats) stats->report(name, t);
  };

  if (do_Gmain) {
    const int64_t pairs = settings_.ms_weight > 0 ? gen_z.size(0) / 2 : 0;
    const torch::Tensor c = pairs > 0 ? paired_classes(gen_c, pairs) : gen_c;
    auto [gen_img, gen_ws] = run_G(gen_z, c, pairs);
    torch::Tensor gen_logits = D_(gen_img, c);
    report("Loss/scores/fake", gen_logits);
    report("Loss/signs/fake", gen_logits.sign());
    torch::Tensor loss_Gmain = torch::nn::functional::softplus(-gen_logits);
    report("Loss/G/loss", loss_Gmain);
    torch::Tensor loss = loss_Gmain.mean();
    if (pairs > 0) {
      const torch::Tensor ratio =
          (gen_img.slice(0, 0, pairs) - gen_img.slice(0, pairs, 2 * pairs)).abs().mean() /
          (gen_z.slice(0, 0, pairs) - gen_z.slice(0, pairs, 2 * pairs)).abs().mean();
      const torch::Tensor loss_ms = settings_.ms_weight / (ratio + 1e-5);
      report("Loss/G/ms", loss_ms);
      loss = loss + loss_ms;
    }
    loss.mul(gain).backward();
  }

  if (do_Gpl) {
    const int64_t batch = gen_z.size(0) / settings_.pl_batch_shrink;
    const torch::Tensor c = gen_c.defined() && gen_c.size(1) > 0 ? gen_c.slice(0, 0, batch) : gen_c;
    auto [gen_img, gen_ws] = run_G(gen_z.slice(0, 0, batch), c);
    const torch::Tensor noise = random_.pl_noise(gen_img);
    torch::Tensor pl_grads =
        torch::autograd::grad({(gen_img * noise).sum()}, {gen_ws}, {}, /*retain_graph=*/true,
                              /*create_graph=*/true)[0];
    torch::Tensor pl_lengths = pl_grads.square().sum(2).mean(1).sqrt();
    torch::Tensor mean = torch::lerp(pl_mean.to(pl_lengths.device()), pl_lengths.mean(), settings_.pl_decay);
    pl_mean = mean.detach().clone();
    torch::Tensor pl_penalty = (pl_lengths - mean).square();
    report("Loss/pl_penalty", pl_penalty);
    torch::Tensor loss_Gpl = pl_penalty * settings_.pl_weight;
    report("Loss/G/reg", loss_Gpl);
    (gen_img.select(1, 0).select(1, 0).select(1, 0) * 0 + loss_Gpl).mean().mul(gain).backward();
  }

  torch::Tensor loss_Dgen;
  if (do_Dmain) {
    torch::Tensor gen_img;
    {
      // G is not trained in this phase: no graph through it.
      torch::NoGradGuard no_grad;
      gen_img = run_G(gen_z, gen_c).first;
    }
    torch::Tensor gen_logits = D_(gen_img, gen_c);
    report("Loss/scores/fake", gen_logits);
    report("Loss/signs/fake", gen_logits.sign());
    loss_Dgen = torch::nn::functional::softplus(gen_logits);
    loss_Dgen.mean().mul(gain).backward();
  }

  if (do_Dmain || do_Dr1) {
    torch::Tensor real = real_img.detach().requires_grad_(do_Dr1);
    torch::Tensor real_logits = D_(real, real_c);
    report("Loss/scores/real", real_logits);
    report("Loss/signs/real", real_logits.sign());
    torch::Tensor loss_Dreal = torch::zeros({}, real_logits.options());
    if (do_Dmain) {
      loss_Dreal = torch::nn::functional::softplus(-real_logits);
      report("Loss/D/loss", loss_Dgen + loss_Dreal);
    }
    torch::Tensor loss_Dr1 = torch::zeros({}, real_logits.options());
    if (do_Dr1) {
      torch::Tensor r1_grads = torch::autograd::grad({real_logits.sum()}, {real}, {}, /*retain_graph=*/true,
                                                     /*create_graph=*/true)[0];
      torch::Tensor r1_penalty = r1_grads.square().sum({1, 2, 3});
      loss_Dr1 = r1_penalty * (settings_.r1_gamma / 2);
      report("Loss/r1_penalty", r1_penalty);
      report("Loss/D/reg", loss_Dr1);
      loss_Dr1 = loss_Dr1.unsqueeze(1);  // [N,1] like the logits, as in the official broadcast
    }
    (real_logits * 0 + loss_Dreal + loss_Dr1).mean().mul(gain).backward();
  }
}

}  // namespace stylescope::train

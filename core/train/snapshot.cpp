#include "core/train/snapshot.h"

#include "core/io/safetensors.h"

namespace stylescope::train {

namespace {

DType dtype_of(const torch::Tensor& t) {
  if (t.scalar_type() == torch::kFloat64) return DType::Float64;
  if (t.scalar_type() == torch::kUInt8) return DType::UInt8;
  return DType::Float32;
}

}  // namespace

void write_snapshot(const std::string& path, TrainingNetworks& nets, const SnapshotState& state) {
  std::vector<std::pair<std::string, TensorRef>> entries;
  std::vector<torch::Tensor> keep_alive;
  auto add = [&](const std::string& name, const torch::Tensor& tensor) {
    torch::Tensor t = tensor.detach().cpu();
    if (t.scalar_type() != torch::kFloat64 && t.scalar_type() != torch::kUInt8) t = t.to(torch::kFloat32);
    t = t.contiguous();
    keep_alive.push_back(t);
    entries.emplace_back(name, TensorRef{dtype_of(t), t.sizes().vec(), t.data_ptr()});
  };
  for (auto& [name, t] : state_dict(*nets.G)) add("G." + name, t);
  for (auto& [name, t] : state_dict(*nets.D)) add("D." + name, t);
  for (auto& [name, t] : state_dict(*nets.G_ema)) add("G_ema." + name, t);
  for (auto& [name, t] : state.opt_G) add("opt_G." + name, t);
  for (auto& [name, t] : state.opt_D) add("opt_D." + name, t);
  if (state.rng_state.defined()) add("training.rng_state", state.rng_state);
  std::map<std::string, std::string> metadata = {{"format", "stylescope/1"},
                                                 {"G_kwargs", nets.G_config.to_kwargs().dump()},
                                                 {"D_kwargs", nets.D_config.to_kwargs().dump()},
                                                 {"training_state", state.training_state.dump()}};
  if (!state.training_set_kwargs.is_null())
    metadata["training_set_kwargs"] = state.training_set_kwargs.dump();
  write_safetensors(path, metadata, entries);
}

}  // namespace stylescope::train

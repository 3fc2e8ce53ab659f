#include "app/gui/model_host.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/latent/latents.h"
#include "core/util/atomic_file.h"
#include "core/util/user_paths.h"

namespace stylescope::gui {

namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string recent_file() { return user_config_dir() + "/recent.json"; }

std::vector<std::string> read_recent() {
  std::vector<std::string> out;
  try {
    const ByteBuffer bytes = read_file(recent_file());
    const char* text = reinterpret_cast<const char*>(bytes.data);
    auto j = nlohmann::json::parse(text, text + bytes.size);
    for (const auto& entry : j.at("recent")) out.push_back(entry.get<std::string>());
  } catch (const std::exception&) {
    // No list yet, or an unreadable one: start afresh rather than refuse to open.
  }
  return out;
}

// The w sliders show each dimension's range over 1000 seeds' mapped w (psi 1).
void w_ranges(LoadedModel& model, torch::Device device, std::vector<float>& low_out,
              std::vector<float>& high_out) {
  torch::NoGradGuard no_grad;
  const auto& cfg = model.config;
  // Seeds 0..999 (numpy-exact z, no global RNG: the render thread seeds that for random noise).
  std::vector<torch::Tensor> zs;
  for (uint32_t s = 0; s < 1000; ++s) zs.push_back(seed_z(s, cfg.z_dim));
  auto z = torch::cat(zs).to(torch::kFloat32).to(device);
  torch::Tensor c;
  if (cfg.c_dim > 0)
    c = torch::one_hot(torch::arange(1000) % cfg.c_dim, cfg.c_dim).to(torch::kFloat32).to(device);
  auto w = model.G->mapping->forward(z, c, 1.0, std::nullopt).select(1, 0).to(torch::kCPU);
  auto low = std::get<0>(w.min(0)).contiguous(), high = std::get<0>(w.max(0)).contiguous();
  low_out.assign(low.data_ptr<float>(), low.data_ptr<float>() + low.numel());
  high_out.assign(high.data_ptr<float>(), high.data_ptr<float>() + high.numel());
}

}  // namespace

ModelHost::ModelHost(torch::Device device, ForwardOptions base_options)
    : device_(device), base_options_(std::move(base_options)), recent_(read_recent()) {}

ModelHost::~ModelHost() {
  if (worker_.joinable()) worker_.join();
}

void ModelHost::load_async(const std::string& path) {
  if (loading_) return;
  if (worker_.joinable()) worker_.join();
  loading_ = true;
  loading_path_ = path;
  loading_start_ = seconds_now();
  worker_ = std::thread([this, path] {
    Loaded loaded;
    std::string error;
    try {
      auto model = std::make_shared<LoadedModel>(load_model(path, device_));
      loaded.renderer = std::make_shared<FrameRenderer>(model, device_, base_options_);
      w_ranges(*model, device_, loaded.low, loaded.high);
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (error.empty()) finished_ = std::move(loaded);
    event_ = LoadEvent{path, error};
    loading_ = false;
  });
}

std::optional<LoadEvent> ModelHost::poll() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!event_) return std::nullopt;
  LoadEvent event = std::move(*event_);
  event_.reset();
  if (finished_) {
    current_ = finished_->renderer;
    w_low_ = std::move(finished_->low);
    w_high_ = std::move(finished_->high);
    finished_.reset();
    ++generation_;
    remember(event.path);
  }
  return event;
}

double ModelHost::loading_seconds() const { return loading_ ? seconds_now() - loading_start_ : 0; }

void ModelHost::adopt(std::shared_ptr<LoadedModel> model) {
  auto renderer = std::make_shared<FrameRenderer>(model, device_, base_options_);
  std::vector<float> low, high;
  const bool same_dim = static_cast<int>(w_low_.size()) == model->config.w_dim;
  if (!same_dim) w_ranges(*model, device_, low, high);
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = renderer;
  if (!same_dim) w_low_ = std::move(low), w_high_ = std::move(high);
  ++generation_;
}

std::shared_ptr<FrameRenderer> ModelHost::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void ModelHost::remember(const std::string& path) {
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) absolute = path;
  recent_.erase(std::remove(recent_.begin(), recent_.end(), absolute), recent_.end());
  recent_.insert(recent_.begin(), absolute);
  if (recent_.size() > 10) recent_.resize(10);
  try {
    ensure_directory(user_config_dir());
    const std::string text = nlohmann::json{{"recent", recent_}}.dump(2) + "\n";
    write_file_atomic(recent_file(), text.data(), text.size());
  } catch (const std::exception&) {
    // A read-only home must not stop the app; the list just isn't kept.
  }
}

}  // namespace stylescope::gui

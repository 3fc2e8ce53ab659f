// Official network pickles (spec §7): a dict of persistent objects, each
// REDUCE(torch_utils.persistence._reconstruct_persistent_obj, (meta,)). module_src is never looked at.
#include "core/io/pickle/network_pickle.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/io/errors.h"
#include "core/io/pickle/pickle_json.h"
#include "core/io/pickle/pickle_reader.h"
#include "core/io/pickle/torch_storage.h"

namespace stylescope {
namespace {

using pickle::Kind;
using pickle::Value;

constexpr int kMaxModuleDepth = 64;
constexpr size_t kMaxModules = 100'000;  // a 1024px G+D+G_ema has ~1,000; shared submodules could explode

struct Persistent {
  std::string class_name;
  const Value* state = nullptr;
};

bool is_persistent(const Value& v) {
  return v.is_call_of("torch_utils.persistence", "_reconstruct_persistent_obj");
}

std::string join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

// StyleGAN3 synthesis layers are named L{index}_{size}_{channels}, e.g. L0_36_512.
bool is_stylegan3_layer_name(std::string_view name) {
  if (name.size() < 2 || name[0] != 'L') return false;
  int groups = 0;
  bool in_digits = false;
  for (char c : name.substr(1)) {
    if (c >= '0' && c <= '9') {
      if (!in_digits) ++groups;
      in_digits = true;
    } else if (c == '_' && in_digits) {
      in_digits = false;
    } else {
      return false;
    }
  }
  return in_digits && groups == 3;
}

class NetworkReader {
 public:
  NetworkReader(ByteBuffer file, std::string name) : file_(std::move(file)), name_(std::move(name)) {}
  NetworkPickle read();

 private:
  [[noreturn]] void input_error(const std::string& problem) const { throw InputError(name_, problem); }
  [[noreturn]] void unsupported(const std::string& problem) const { throw UnsupportedError(name_, problem); }
  Persistent persistent(const Value& v, const std::string& where) const;
  void check_root(const Value& root) const;
  void check_stylegan3(const Persistent& generator, const std::string& key) const;
  NetworkModule read_network(const Value& v, const std::string& key, bool generator);
  void walk(const Value& v, const std::string& key, const std::string& path, NetworkModule& out, int depth);
  void read_tensors(const Value& dict, const std::string& key, const std::string& path, NetworkModule& out);

  ByteBuffer file_;
  std::string name_;
  std::shared_ptr<pickle::PickleDocument> doc_;
  std::unique_ptr<pickle::TorchTensorDecoder> tensors_;
  size_t modules_ = 0;
};

NetworkPickle NetworkReader::read() {
  doc_ = std::make_shared<pickle::PickleDocument>(file_.data, file_.size, name_);
  const Value& root = *doc_->load(0);
  tensors_ = std::make_unique<pickle::TorchTensorDecoder>(file_, doc_, name_);
  check_root(root);
  NetworkPickle out;
  auto present = [&](const char* key) {
    const Value* v = root.find(key);
    return v != nullptr && v->kind != Kind::None ? v : nullptr;
  };
  // Recognise both generators before decoding any tensor, so a StyleGAN3 pickle is named as such.
  for (const char* key : {"G_ema", "G"}) {
    if (const Value* g = present(key); g != nullptr && is_persistent(*g))
      check_stylegan3(persistent(*g, key), key);
  }
  if (const Value* g = present("G_ema")) out.G_ema = read_network(*g, "G_ema", true);
  if (const Value* g = present("G")) out.G = read_network(*g, "G", true);
  if (const Value* d = present("D")) out.D = read_network(*d, "D", false);
  if (const Value* kwargs = present("training_set_kwargs")) {
    // Informational only: odd content is described, not refused.
    out.training_set_kwargs =
        pickle::to_json(*kwargs, name_, "training_set_kwargs", pickle::JsonMode::Lenient);
  }
  out.has_augment_pipe = present("augment_pipe") != nullptr;  // never read: unrelated classes are fine
  return out;
}

void NetworkReader::check_root(const Value& root) const {
  if (root.kind == Kind::Tuple) {
    for (const Value* item : root.items) {
      if (item->is_call_of("dnnlib.tflib.network", "Network")) {
        unsupported(
            "TensorFlow-era network pickle (dnnlib.tflib.network.Network objects) is not supported; "
            "convert it with the official legacy.py first (python legacy.py --source=old.pkl "
            "--dest=new.pkl)");
      }
    }
  }
  const std::string expected = " (expected a dict with G, D and G_ema)";
  if (root.kind != Kind::Dict)
    unsupported("not a StyleGAN2 network pickle: the top level is " + describe(root) + expected);
  const Value* g = root.find("G");
  const Value* g_ema = root.find("G_ema");
  if ((g == nullptr || g->kind == Kind::None) && (g_ema == nullptr || g_ema->kind == Kind::None)) {
    std::string keys;
    for (size_t i = 0; i < root.entries.size() && i < 8; ++i) {
      const Value& k = *root.entries[i].first;
      keys += (i ? ", " : "") + (k.kind == Kind::String ? "'" + std::string(k.text) + "'" : describe(k));
    }
    if (root.entries.size() > 8) keys += ", ...";
    unsupported("not a StyleGAN2 network pickle: the top-level dict has no G_ema or G (keys: " +
                (keys.empty() ? std::string("none") : keys) + ")");
  }
}

Persistent NetworkReader::persistent(const Value& v, const std::string& where) const {
  const std::vector<Value*>& args = v.args();
  if (args.size() != 1 || args[0]->kind != Kind::Dict) input_error("malformed persistent object at " + where);
  const Value& meta = *args[0];
  const Value* type = meta.find("type");
  const Value* class_name = meta.find("class_name");
  const Value* state = meta.find("state");
  if (type == nullptr || !type->is_string("class")) {
    unsupported("persistent object at " + where + " is of type " + (type ? describe(*type) : "None") +
                ", not 'class'");
  }
  if (class_name == nullptr || class_name->kind != Kind::String || state == nullptr ||
      state->kind != Kind::Dict) {
    input_error("malformed persistent object at " + where + " (class_name or state)");
  }
  return {std::string(class_name->text), state};
}

void NetworkReader::check_stylegan3(const Persistent& generator, const std::string& key) const {
  const Value* modules = generator.state->find("_modules");
  const Value* synthesis = modules ? modules->find("synthesis") : nullptr;
  if (synthesis == nullptr || !is_persistent(*synthesis)) return;
  const Value* layers = persistent(*synthesis, key + ".synthesis").state->find("_modules");
  if (layers == nullptr) return;
  for (const auto& [name, module] : layers->entries) {
    const bool input = name->is_string("input") && is_persistent(*module) &&
                       persistent(*module, key + ".synthesis.input").class_name == "SynthesisInput";
    if (input || (name->kind == Kind::String && is_stylegan3_layer_name(name->text))) {
      const std::string what = input ? "class SynthesisInput" : "layers named " + std::string(name->text);
      unsupported("StyleGAN3 (alias-free) generator (" + what +
                  ") is not supported; only StyleGAN2 networks (" + key + ".synthesis)");
    }
  }
}

NetworkModule NetworkReader::read_network(const Value& v, const std::string& key, bool generator) {
  if (!is_persistent(v)) {
    if (v.kind == Kind::Object)
      input_error("expected a persistent network object at " + key + ", found " + describe(v));
    unsupported("not a StyleGAN2 network pickle: " + key + " is " + describe(v) + " (expected a persistent " +
                (generator ? "Generator" : "network") + " object)");
  }
  const Persistent p = persistent(v, key);
  if (generator && p.class_name != "Generator") {
    unsupported("not a StyleGAN2 network pickle: " + key + " is a persistent " + p.class_name +
                " object, not a Generator");
  }
  NetworkModule module;
  module.class_name = p.class_name;
  walk(v, key, "", module, 0);
  return module;
}

void NetworkReader::walk(const Value& v, const std::string& key, const std::string& path, NetworkModule& out,
                         int depth) {
  const std::string where = join(key, path);
  if (depth > kMaxModuleDepth) input_error("modules nested deeper than 64 levels at " + where);
  if (++modules_ > kMaxModules)
    input_error("more than 100000 modules (a cycle of shared submodules?) at " + where);
  if (!is_persistent(v)) input_error("expected a network module at " + where + ", found " + describe(v));
  const Persistent p = persistent(v, where);
  if (p.class_name == "SynthesisInput") {
    unsupported(
        "StyleGAN3 (alias-free) generator (class SynthesisInput) is not supported; only StyleGAN2 "
        "networks (" +
        where + ")");
  }
  out.module_classes[path] = p.class_name;
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& [k, value] : p.state->entries) {
    if (k->kind != Kind::String)
      input_error("module state of " + where + " has a key that is " + describe(*k));
    const std::string_view name = k->text;
    if (name == "_parameters" || name == "_buffers") {  // both: Freeze-D moves weights into _buffers
      read_tensors(*value, key, path, out);
    } else if (name == "_modules") {
      if (value->kind != Kind::Dict) input_error("_modules of " + where + " is " + describe(*value));
      for (const auto& [child_name, child] : value->entries) {
        if (child_name->kind != Kind::String)
          input_error("a submodule name of " + where + " is " + describe(*child_name));
        if (child->kind != Kind::None) walk(*child, key, join(path, child_name->text), out, depth + 1);
      }
    } else if (name == "_init_kwargs") {
      if (path.empty())
        out.init_kwargs = pickle::to_json(*value, name_, where + "._init_kwargs", pickle::JsonMode::Strict);
    } else if (!name.empty() && name.front() != '_' && name != "training") {
      attributes[std::string(name)] =
          pickle::to_json(*value, name_, join(where, name), pickle::JsonMode::Strict);
    }
  }
  out.module_attributes[path] = std::move(attributes);
}

void NetworkReader::read_tensors(const Value& dict, const std::string& key, const std::string& path,
                                 NetworkModule& out) {
  if (dict.kind != Kind::Dict)
    input_error("expected a dict of tensors in " + join(key, path) + ", found " + describe(dict));
  for (const auto& [k, tensor] : dict.entries) {
    if (k->kind != Kind::String) input_error("a tensor name in " + join(key, path) + " is " + describe(*k));
    if (tensor->kind == Kind::None) continue;
    const std::string name = join(path, k->text);
    out.tensors[name] = tensors_->tensor(*tensor, join(key, name));
  }
}

}  // namespace

NetworkPickle read_network_pickle_bytes(ByteBuffer bytes, const std::string& name_for_errors) {
  return NetworkReader(std::move(bytes), name_for_errors).read();
}

NetworkPickle read_network_pickle(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(path, "no such file (or not a regular file)");
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot read the file size: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  // One buffer for the whole file; tensors view it (ByteBuffer::owner keeps it alive).
  std::shared_ptr<uint8_t[]> buffer(new uint8_t[size > 0 ? size : 1]);
  if (!in.read(reinterpret_cast<char*>(buffer.get()), static_cast<std::streamsize>(size))) {
    throw InputError(
        path, "read error after " + std::to_string(in.gcount()) + " of " + std::to_string(size) + " bytes");
  }
  ByteBuffer bytes{buffer, buffer.get(), static_cast<size_t>(size)};
  return read_network_pickle_bytes(std::move(bytes), path);
}

}  // namespace stylescope

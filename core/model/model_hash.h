#pragma once
// A model's identity for files derived from it (direction sets): the SHA-256 of the generator's mapping and
// synthesis tensors in a canonical order, so an official .pkl and the .safetensors `convert` made from it
// hash the same (docs/file-formats.md, "Model hash").
#include <string>

#include <torch/torch.h>

namespace stylescope {

// Every parameter and buffer named "mapping.*" or "synthesis.*" (official state-dict names), sorted by name
// (bytewise); for each, the bytes "<name>\n<dims joined by ','>\n" followed by the tensor as little-endian
// float32 in C order. 64 lowercase hex digits.
std::string model_hash(torch::nn::Module& generator);

}  // namespace stylescope

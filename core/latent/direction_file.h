#pragma once
// Direction sets on disk (docs/file-formats.md, "Direction sets"): NAME.npy holds the vectors [k, w_dim]
// float32, NAME.json beside it the rest (method, model hash, per-direction layers, scale, eigenvalue or
// standard deviation and explained variance, names). A bare .npy without a sidecar is a user set.
#include <string>

#include "core/latent/directions.h"

namespace stylescope {

// "dirs.npy" -> "dirs.json" (a name without ".npy" gets ".json" appended).
std::string direction_sidecar_path(const std::string& npy_path);

// Writes both files atomically (the .npy first; each is written to a temp name and renamed).
void save_direction_set(const std::string& npy_path, const DirectionSet& set);

// Reads and checks a set for a model with `w_dim` and `num_ws`: the .npy must be float [k, w_dim] (or
// [w_dim], one direction) with finite values; the sidecar, when present, must agree with it (count, w_dim,
// num_ws) and give each direction a layer list inside 0..num_ws-1 and a positive scale. InputError naming the
// file and the problem otherwise. A different model hash is not an error here: compare set.model_hash.
DirectionSet load_direction_set(const std::string& npy_path, int64_t w_dim, int64_t num_ws);

}  // namespace stylescope

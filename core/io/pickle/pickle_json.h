#pragma once
// Plain pickle data as JSON: module attributes, constructor kwargs and training_set_kwargs of network
// pickles (spec §7.2).
#include <string>

#include <nlohmann/json.hpp>

#include "core/io/pickle/pickle_value.h"

namespace stylescope::pickle {

enum class JsonMode {
  Strict,   // anything that is not plain data throws InputError naming `where` and what was found
  Lenient,  // anything that is not plain data becomes the string "<what was found>"
};

// None/bool/int/float/str as themselves; tuples, lists and sets as arrays; dicts and dnnlib.util.EasyDict
// as objects (str keys; int, bool and None keys as Python's str() of them); numpy scalars
// (numpy.core.multiarray.scalar or numpy._core.multiarray.scalar) as numbers. Bytes, globals and other
// objects are not plain data. `file` and `where` ("G_ema.mapping.w_avg_beta") label errors.
nlohmann::json to_json(const Value& value, const std::string& file, const std::string& where, JsonMode mode);

// The value of a numpy scalar record as a JSON number (bool for numpy.bool_). Returns false when `value`
// is not a numpy scalar; throws InputError when it is one but malformed.
bool numpy_scalar_to_json(const Value& value, const std::string& file, const std::string& where,
                          nlohmann::json& out);

}  // namespace stylescope::pickle

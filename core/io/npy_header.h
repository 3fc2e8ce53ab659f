#pragma once
// The Python-literal dictionary in a .npy header, parsed without eval: string keys; string, bool, None,
// int and tuple/list values (nested up to a small depth). Used by npy.cpp.
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope {

struct NpyHeader {
  std::string descr;  // e.g. "<f4"; empty when the descr is not a plain string (structured dtypes)
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// Like numpy's _read_array_header: exactly the keys 'descr', 'fortran_order' and 'shape'; shape a tuple
// of non-negative ints (Python 2's "512L" accepted); fortran_order a bool. InputError naming `file`.
NpyHeader parse_npy_header_dict(const std::string& text, const std::string& file);

}  // namespace stylescope

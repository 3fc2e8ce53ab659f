#include "core/io/npy.h"

#include <cstring>
#include <stdexcept>

#include "core/io/errors.h"
#include "core/io/npy_header.h"
#include "core/util/atomic_file.h"

namespace stylescope {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kArrayAlign = 64;           // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

struct DescrName {
  DType dtype;
  const char* code;  // without the byte-order character
};
constexpr DescrName kDescrs[] = {
    {DType::Float32, "f4"}, {DType::Float64, "f8"}, {DType::Float16, "f2"},
    {DType::Int64, "i8"},   {DType::Int32, "i4"},   {DType::Int16, "i2"},
    {DType::Int8, "i1"},    {DType::UInt8, "u1"},   {DType::Bool, "b1"},
};

DType parse_descr(const std::string& descr, const std::string& file) {
  if (descr.empty()) throw InputError(file, "structured .npy arrays are not supported");
  const char order = descr[0];
  const std::string code =
      (order == '<' || order == '>' || order == '|' || order == '=') ? descr.substr(1) : descr;
  if (code == "O")
    throw InputError(file, "object arrays ('" + descr + "') are not supported: they hold pickles");
  for (const DescrName& d : kDescrs) {
    if (code != d.code) continue;
    if (order == '>' && dtype_size(d.dtype) > 1) {
      throw InputError(file,
                       "big-endian data ('" + descr + "') is not supported; save it as '<" + code + "'");
    }
    return d.dtype;
  }
  throw InputError(file, "unsupported .npy dtype '" + descr + "'");
}

uint32_t read_le(const uint8_t* p, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = bytes; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// Fortran order stores the first index fastest; produce the C-order copy the rest of StyleScope expects.
std::vector<uint8_t> fortran_to_c(const uint8_t* src, const std::vector<int64_t>& shape, size_t esize,
                                  int64_t n) {
  std::vector<uint8_t> out(static_cast<size_t>(n) * esize);
  const size_t rank = shape.size();
  std::vector<int64_t> fstride(rank, 1);  // Fortran strides in elements
  for (size_t d = 1; d < rank; ++d) fstride[d] = fstride[d - 1] * shape[d - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t source = 0;
  for (int64_t flat = 0; flat < n; ++flat) {
    std::memcpy(out.data() + static_cast<size_t>(flat) * esize, src + static_cast<size_t>(source) * esize,
                esize);
    for (size_t d = rank; d-- > 0;) {
      source += fstride[d];
      if (++index[d] < shape[d]) break;
      source -= fstride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

std::string shape_repr(const std::vector<int64_t>& shape) {  // Python's repr of a tuple
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

const char* descr_for(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "<f4";
    case DType::Float64:
      return "<f8";
    case DType::Float16:
      return "<f2";
    case DType::Int64:
      return "<i8";
    case DType::Int32:
      return "<i4";
    case DType::Int16:
      return "<i2";
    case DType::Int8:
      return "|i1";
    case DType::UInt8:
      return "|u1";
    case DType::Bool:
      return "|b1";
    case DType::BFloat16:
      break;
  }
  throw std::invalid_argument("bfloat16 arrays cannot be written as .npy");
}

}  // namespace

RawTensor parse_npy(const ByteBuffer& bytes, const std::string& name) {
  if (bytes.size < kMagicSize + 2 || std::memcmp(bytes.data, kMagic, kMagicSize) != 0) {
    throw InputError(name, "not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = bytes.data[6];
  const int minor = bytes.data[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    throw InputError(name, "unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + length_bytes;
  if (bytes.size < prefix) throw InputError(name, "truncated .npy header");
  const size_t header_length = read_le(bytes.data + kMagicSize + 2, length_bytes);
  if (header_length > bytes.size - prefix) {
    throw InputError(name, "truncated .npy header: " + std::to_string(header_length) + " bytes announced, " +
                               std::to_string(bytes.size - prefix) + " present");
  }
  const std::string text(reinterpret_cast<const char*>(bytes.data) + prefix, header_length);
  const NpyHeader header = parse_npy_header_dict(text, name);

  RawTensor tensor;
  tensor.dtype = parse_descr(header.descr, name);
  tensor.shape = header.shape;
  const size_t esize = dtype_size(tensor.dtype);
  int64_t numel = 0;
  if (!checked_numel(tensor.shape, esize, numel)) {
    throw InputError(name, "array shape " + shape_string(tensor.shape) + " is too large");
  }
  const size_t data_start = prefix + header_length;
  const uint64_t needed = static_cast<uint64_t>(numel) * esize;
  if (needed > bytes.size - data_start) {
    throw InputError(name, "truncated .npy data: '" + header.descr + "' " + shape_string(tensor.shape) +
                               " needs " + std::to_string(needed) + " bytes, the file holds " +
                               std::to_string(bytes.size - data_start));
  }
  if (header.fortran_order && tensor.shape.size() > 1) {
    tensor.storage = owned_bytes(fortran_to_c(bytes.data + data_start, tensor.shape, esize, numel));
  } else {
    tensor.storage = sub_buffer(bytes, data_start, static_cast<size_t>(needed));
  }
  return tensor;
}

RawTensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string npy_header(DType dtype, const std::vector<int64_t>& shape) {
  // Mirrors numpy.lib.format._write_array_header and _wrap_header byte for byte.
  std::string dict = std::string("{'descr': '") + descr_for(dtype) +
                     "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) {
    const size_t digits = std::to_string(shape[0]).size();
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  const size_t hlen = dict.size() + 1;  // + the final newline
  for (int major = 1; major <= 2; ++major) {
    const size_t length_bytes = major == 1 ? 2 : 4;
    // numpy pads a full ARRAY_ALIGN (not zero) when the header is already aligned.
    const size_t padlen = kArrayAlign - ((kMagicSize + 2 + length_bytes + hlen) % kArrayAlign);
    const uint64_t total = hlen + padlen;
    if (major == 1 && total > 0xffff) continue;
    std::string out(kMagic, kMagicSize);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((total >> (8 * i)) & 0xff);
    out += dict;
    out.append(padlen, ' ');
    out += '\n';
    return out;
  }
  throw std::invalid_argument("npy_header: header too large");
}

std::vector<uint8_t> encode_npy(const TensorRef& tensor) {
  const std::string header = npy_header(tensor.dtype, tensor.shape);
  const size_t size = tensor.nbytes();
  if (size > 0 && tensor.data == nullptr) throw std::invalid_argument("encode_npy: null data");
  std::vector<uint8_t> out(header.size() + size);
  std::memcpy(out.data(), header.data(), header.size());
  if (size > 0) std::memcpy(out.data() + header.size(), tensor.data, size);
  return out;
}

void write_npy(const std::string& path, const TensorRef& tensor) {
  const std::string header = npy_header(tensor.dtype, tensor.shape);
  const size_t size = tensor.nbytes();
  if (size > 0 && tensor.data == nullptr) throw std::invalid_argument("write_npy: null data");
  write_file_atomic(path, [&](OutputFile& out) {
    out.write(header);
    out.write(tensor.data, size);
  });
}

}  // namespace stylescope

#include "core/util/sha256.h"

#include <string>
#include <vector>

#include "io_test_util.h"

namespace stylescope {
namespace {

std::string sha256_of(const std::string& text) {
  Sha256 h;
  h.update(text);
  return h.hex_digest();
}

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_of(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingInUnevenPiecesEqualsOneUpdate) {
  std::vector<uint8_t> bytes;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<uint8_t>(i));
  const std::string expected = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363";  // hashlib
  for (size_t piece : {1, 7, 63, 64, 65, 500}) {
    Sha256 h;
    for (size_t at = 0; at < bytes.size(); at += piece)
      h.update(bytes.data() + at, std::min(piece, bytes.size() - at));
    EXPECT_EQ(h.hex_digest(), expected) << "piece " << piece;
  }
}

}  // namespace
}  // namespace stylescope

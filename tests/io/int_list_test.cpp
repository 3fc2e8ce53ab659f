#include "core/util/int_list.h"

#include "io_test_util.h"

namespace stylescope {
namespace {

using Seeds = std::vector<uint32_t>;

void expect_message(const std::string& text, const std::string& message,
                    const std::string& flag = "--seeds") {
  try {
    parse_seed_list(text, flag);
    ADD_FAILURE() << "'" << text << "' was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(SeedList, Parses) {
  EXPECT_EQ(parse_seed_list("0-3,7"), (Seeds{0, 1, 2, 3, 7}));
  EXPECT_EQ(parse_seed_list("5"), (Seeds{5}));
  EXPECT_EQ(parse_seed_list("3-3"), (Seeds{3}));
  EXPECT_EQ(parse_seed_list(" 1 , 2 - 3 "), (Seeds{1, 2, 3}));
  EXPECT_EQ(parse_seed_list("9,0,9"),
            (Seeds{9, 0, 9}));  // order and duplicates kept, as the official scripts
  EXPECT_EQ(parse_seed_list("007"), (Seeds{7}));
  EXPECT_EQ(parse_seed_list("4294967294-4294967295"), (Seeds{4294967294u, 4294967295u}));
}

TEST(SeedList, Errors) {
  expect_message("3-1", "--seeds: '3-1' is not a valid range");
  expect_message("", "--seeds: expected a list such as '0-3,7', found nothing");
  expect_message("1,,2", "--seeds: empty item in '1,,2'");
  expect_message("1,", "--seeds: empty item in '1,'");
  expect_message("abc", "--seeds: 'abc' is not a non-negative integer");
  expect_message("-1", "--seeds: '-1' is not a non-negative integer");
  expect_message("+1", "--seeds: '+1' is not a non-negative integer");
  expect_message("1.5", "--seeds: '1.5' is not a non-negative integer");
  expect_message("1-", "--seeds: '1-' is not a valid range");
  expect_message("1-2-3", "--seeds: '1-2-3' is not a valid range");
  expect_message("4294967296", "--seeds: '4294967296' is out of range (0 to 4294967295)");
  expect_message("99999999999999999999999",
                 "--seeds: '99999999999999999999999' is out of range (0 to 4294967295)");
  expect_message("0-4294967295", "--seeds: '0-4294967295' lists more than 1000000 values");
  expect_message("x", "--rows: 'x' is not a non-negative integer", "--rows");
}

TEST(IntList, LayerIndices) {
  EXPECT_EQ(parse_int_list("0-6", "--styles", 17), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(parse_int_list("17", "--styles", 17), (std::vector<int64_t>{17}));
  try {
    parse_int_list("0-18", "--styles", 17);
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "--styles: '0-18' is out of range (0 to 17)");
  }
  EXPECT_THROW(parse_int_list("0-9", "--x", 100, 5), InputError);
  EXPECT_EQ(parse_int_list("0-4", "--x", 100, 5).size(), 5u);
}

}  // namespace
}  // namespace stylescope

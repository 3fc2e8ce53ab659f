#pragma once
// Integer lists as the command line takes them: "--seeds 0-3,7", "--styles 0-6", "--layers 0-3".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope {

// Comma-separated non-negative integers and inclusive ranges "A-B" (A <= B), e.g. "0-3,7" -> 0,1,2,3,7, in
// the order given with duplicates kept (the official scripts keep them; a video may revisit a seed).
// Spaces around items are allowed. InputError prefixed with `flag`, e.g. "--seeds: '3-1' is not a valid
// range", for empty items, non-numbers, reversed ranges, values above max_value and lists longer than
// max_count.
std::vector<int64_t> parse_int_list(const std::string& text, const std::string& flag, int64_t max_value,
                                    size_t max_count = 1000000);

// parse_int_list for numpy seeds (0 .. 2^32-1).
std::vector<uint32_t> parse_seed_list(const std::string& text, const std::string& flag = "--seeds");

}  // namespace stylescope

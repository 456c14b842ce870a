# How test code is compiled, in the main build (tests/) and the sanitizer builds (fuzz/, and
# CAMDUMP_SANITIZE). Compiling the tests was the largest part of a cold build (about 120 files
# that each parse GoogleTest, <filesystem> and fmt, then optimise test bodies nobody needs fast):
# test code is built at -O1 -g1, after the build type's flags so these win. The library under test
# keeps the build's own flags, and line tables are enough for a failing test's backtrace. At -O1,
# GCC 12 inlines std::string's appends far enough to report the library's own memcpy as out of
# bounds (-Warray-bounds, -Wstringop-overflow on `std::string(a) + b`; false positives of GCC 12
# that -O2 happens not to trigger here): those two are off for test code built by GCC.
# (A precompiled header was tried too: GCC's was 100-155 MB, and a test file compiled with it took
# from 20% less to 10% more time. Not worth its complexity.)
function(camdump_test_build target)
  target_compile_options(${target} PRIVATE -O1 -g1
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-array-bounds -Wno-stringop-overflow>)
endfunction()

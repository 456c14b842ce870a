// SPDX-License-Identifier: MIT
// Whether this test binary was built with ASan or TSan (make test runs some suites so). Their
// runtimes map shadow memory and keep their own allocator, so a test that measures our memory
// (RSS, peak RSS) learns nothing there; it skips, and the plain run of the same test asserts.
#pragma once

namespace camdump::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)  // GCC
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace camdump::test

# The libraries src/ links, found once for the main build and for the clang build of fuzz/
# (which compiles the same layer libraries with coverage instrumentation).
# ccache (when installed) makes rebuilds in several build directories of one tree cheap.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)
pkg_check_modules(LIBSERIALPORT REQUIRED IMPORTED_TARGET libserialport)
pkg_check_modules(LIBSQUASHFS REQUIRED IMPORTED_TARGET libsquashfs1)
pkg_check_modules(LZO2 REQUIRED IMPORTED_TARGET lzo2)        # inspect: LZO U-Boot payloads
pkg_check_modules(LIBLZMA REQUIRED IMPORTED_TARGET liblzma)  # inspect: lzma/xz kernels
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)


# The libraries src/ links, found once for the main build and for the clang build of fuzz/
# (which compiles the same layer libraries with coverage instrumentation).
# ccache (when installed) makes rebuilds in several build directories of one tree cheap, and in
# any other clone of it: CMake gives the compiler absolute paths (sources, -I), which ccache hashes
# as they are, so a fresh clone at a new path (CI's) missed the cache on every file. With base_dir
# at the tree's root ccache hashes those paths relative to the build directory, and with the debug
# info's paths mapped to the root (-fdebug-prefix-map) it leaves the working directory out of the
# hash (ccache(1), "Compiling in different directories"). Both only when ccache is in use.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  get_filename_component(camdump_root ${CMAKE_CURRENT_LIST_DIR} DIRECTORY)
  set(launcher ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${camdump_root} ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
  add_compile_options(-fdebug-prefix-map=${camdump_root}=.)
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


# Compiler warnings for camdump's own code (src/, tests/, bench/; fuzz/ includes this file too).
# Third-party headers (fmt, CLI11, nlohmann/json, GoogleTest, libusb, ...) come from the system
# include directories or from imported targets, whose directories CMake passes as -isystem, so
# these warnings are about our code only.
#  -Wconversion / -Wsign-conversion: every narrowing or sign change is written as a cast, so a
#    silent truncation of a flash offset or length cannot slip in unnoticed.
#  -Wshadow: a local that hides another name is renamed.
# -Wno-missing-field-initializers: designated initialisers that leave fields at their defaults
# are intended (chip tables, options structs).
option(CAMDUMP_WERROR "Treat compiler warnings as errors (CI builds with it: see scripts/ci-*)" OFF)
add_compile_options(-Wall -Wextra -Wno-missing-field-initializers -Wconversion -Wsign-conversion -Wshadow)
if(CAMDUMP_WERROR)
  add_compile_options(-Werror)
endif()

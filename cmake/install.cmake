# Installing camdump like a Linux program (issue 15): `cmake --install build [--prefix P]` or
# `make install PREFIX=P` puts in place
#   bin/camdump                                   (stripped with `cmake --install --strip`, as make install does)
#   share/man/man1/camdump.1.gz                   generated from the CLI definitions (camdump --help-man)
#   share/bash-completion/completions/camdump     } generated from the same tree
#   share/zsh/vendor-completions/_camdump         } (camdump --completion=SHELL)
#   share/fish/vendor_completions.d/camdump.fish  }
#   lib/udev/rules.d/70-camdump-ch341a.rules      CH341A (1a86:5512): uaccess + plugdev
#   share/doc/camdump/                            README.md and docs/*.md
# and `cpack -G DEB` (from the build directory) builds a Debian package of the same tree.
include(GNUInstallDirs)

set(CAMDUMP_UDEV_RULES_DIR "lib/udev/rules.d" CACHE STRING
    "Where the udev rule goes, relative to the prefix (udev reads /usr/lib/udev/rules.d and /etc/udev/rules.d)")

# The generated files: built from the camdump binary after it links, so they always match it.
set(gen ${CMAKE_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${gen}/camdump.1.gz ${gen}/camdump.bash ${gen}/_camdump ${gen}/camdump.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
  COMMAND sh -c "\"$0\" --help-man | gzip -9n > \"$1/camdump.1.gz\"" $<TARGET_FILE:camdump> ${gen}
  COMMAND sh -c "\"$0\" --completion=bash > \"$1/camdump.bash\"" $<TARGET_FILE:camdump> ${gen}
  COMMAND sh -c "\"$0\" --completion=zsh > \"$1/_camdump\"" $<TARGET_FILE:camdump> ${gen}
  COMMAND sh -c "\"$0\" --completion=fish > \"$1/camdump.fish\"" $<TARGET_FILE:camdump> ${gen}
  DEPENDS camdump
  COMMENT "Generating camdump(1) and the shell completions from the CLI definitions"
  VERBATIM)  # VERBATIM: make must not eat the shell's $0/$1
add_custom_target(camdump_docs ALL DEPENDS ${gen}/camdump.1.gz ${gen}/camdump.bash ${gen}/_camdump ${gen}/camdump.fish)

install(TARGETS camdump RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${gen}/camdump.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${gen}/camdump.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME camdump)
install(FILES ${gen}/_camdump DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${gen}/camdump.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/70-camdump-ch341a.rules DESTINATION ${CAMDUMP_UDEV_RULES_DIR})
file(GLOB camdump_doc_files ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${camdump_doc_files} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian package: `cd build && cpack -G DEB`. Dependencies from the libraries the binary links
# (dpkg-shlibdeps, from dpkg-dev); udev is only recommended (containers, chroots).
set(CPACK_PACKAGE_NAME camdump)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "camdump maintainers <camdump@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "verified firmware dumps of IP cameras (UART, TFTP, SD, shell, CH341A)")
set(CPACK_PACKAGE_DESCRIPTION
    "camdump backs up the flash of IP cameras by every usual route (U-Boot console md, TFTP, SD card, Linux shell, CH341A programmer) and verifies each against a checksum from the device.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "udev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "flashrom, picocom")
set(CPACK_RESOURCE_FILE_README ${CMAKE_SOURCE_DIR}/README.md)
include(CPack)

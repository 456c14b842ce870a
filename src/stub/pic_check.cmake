# Position-independence check of a stub (src/stub/CMakeLists.txt): links OBJ again at LOAD_ADDR +
# 0x10000000 and compares the flat image with BIN. Identical bytes = no absolute address inside.
# cmake -DCC= -DOBJCOPY= -DOBJ= -DBIN= -DLOAD_ADDR= -DCHECK=0|1 -DLDFLAGS=<list> -P pic_check.cmake
if(NOT CHECK)
  return()
endif()
math(EXPR moved "${LOAD_ADDR} + 0x10000000" OUTPUT_FORMAT HEXADECIMAL)
execute_process(COMMAND ${CC} ${LDFLAGS} -Wl,--defsym=LOAD_ADDR=${moved} ${OBJ} -o ${BIN}.moved.elf
                RESULT_VARIABLE rc1)
execute_process(COMMAND ${OBJCOPY} -O binary -j .params -j .text -j .rodata -j .data ${BIN}.moved.elf ${BIN}.moved
                RESULT_VARIABLE rc2)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${BIN} ${BIN}.moved RESULT_VARIABLE same)
if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0 OR NOT same EQUAL 0)
  message(FATAL_ERROR "stub ${BIN}: linked at ${moved} it differs from the image linked at ${LOAD_ADDR}: "
                      "it is not position-independent (an absolute address crept in)")
endif()

# MCPWATCH_FUZZ: libFuzzer builds of the parsers (fuzz/), with Debian's clang, in a build
# directory of their own (scripts/fuzz uses build-fuzz). Every library is compiled with the
# fuzzer's coverage instrumentation and ASan+UBSan; only the fuzz/ executables link libFuzzer's
# main. The normal (gcc) build never sees any of this.
if(NOT MCPWATCH_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MCPWATCH_FUZZ needs clang (libFuzzer): configure a separate build "
                      "directory with -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14")
endif()
if(MCPWATCH_SANITIZE)
  message(FATAL_ERROR "MCPWATCH_FUZZ brings its own sanitizers: leave MCPWATCH_SANITIZE off")
endif()
# UB aborts like a crash (libFuzzer then keeps the input), instead of printing and going on.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer
                    # GCC-only names in our `#pragma GCC diagnostic` lines (gcc's false positives).
                    -Wno-unknown-warning-option)
add_link_options(-fsanitize=address,undefined)

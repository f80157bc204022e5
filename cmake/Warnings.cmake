# Warning flags for our own targets (never for third-party headers, which are SYSTEM).
add_library(mcpwatch_warnings INTERFACE)
target_compile_options(mcpwatch_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(MCPWATCH_WERROR)
  target_compile_options(mcpwatch_warnings INTERFACE -Werror)
endif()

if(MCPWATCH_SANITIZE)
  # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++ (std::regex, std::function) once
  # the sanitizers' instrumentation is optimised; the plain build keeps the warning.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()

# mcpwatch_add_library(NAME SOURCES... DEPS ...): a folder's library with our warnings.
function(mcpwatch_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE mcpwatch_warnings)
endfunction()

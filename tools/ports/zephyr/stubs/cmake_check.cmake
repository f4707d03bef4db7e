# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/ports/zephyr/stubs/cmake_check.cmake - runs the module's
# CMakeLists.txt (cmake -P) with stand-ins for the Zephyr CMake functions
# it calls, once with CONFIG_TASKLOCAL_POSIX and once without, and checks
# what it asked for: sources that exist (posix.c only when asked), the
# include directories, the library options and the uthash header.

cmake_minimum_required(VERSION 3.20)

foreach(fn zephyr_library_named zephyr_library_sources
           zephyr_include_directories zephyr_compile_definitions
           zephyr_library_compile_options zephyr_library_compile_definitions)
  # Each stand-in appends its arguments to a variable named after it.
  cmake_language(EVAL CODE "
    function(${fn})
      set(${fn} \${${fn}} \${ARGN} PARENT_SCOPE)
    endfunction()")
endforeach()

function(check what)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "check-zephyr (CMake): ${what}")
  endif()
endfunction()

set(CONFIG_TASKLOCAL y)
set(CONFIG_TASKLOCAL_CACHE_SIZE 8)

foreach(posix n y)
  set(CONFIG_TASKLOCAL_POSIX ${posix})
  foreach(fn zephyr_library_named zephyr_library_sources)
    unset(${fn})
  endforeach()
  include(${CMAKE_CURRENT_LIST_DIR}/../CMakeLists.txt)

  check("one library called tasklocal" zephyr_library_named STREQUAL "tasklocal")
  foreach(src IN LISTS zephyr_library_sources)
    check("source ${src} exists" EXISTS "${src}")
  endforeach()
  list(FILTER zephyr_library_sources INCLUDE REGEX "/lib/posix\\.c$")
  if(posix)
    check("posix.c with CONFIG_TASKLOCAL_POSIX" zephyr_library_sources)
  else()
    check("no posix.c without CONFIG_TASKLOCAL_POSIX" NOT zephyr_library_sources)
  endif()
endforeach()

foreach(dir IN LISTS zephyr_include_directories)
  check("include directory ${dir} exists" IS_DIRECTORY "${dir}")
endforeach()
check("TL_THREADS=0 for every compile" "TL_THREADS=0" IN_LIST zephyr_compile_definitions)
check("TL_HEAPLESS=1 for every compile" "TL_HEAPLESS=1" IN_LIST zephyr_compile_definitions)
check("uthash.h found" EXISTS "${TASKLOCAL_UTHASH}")
message(STATUS "module: library tasklocal, uthash ${TASKLOCAL_UTHASH}")

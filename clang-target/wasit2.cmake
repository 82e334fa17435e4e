# CMake toolchain file for wasit2 (written for wasit2).
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=<repo>/clang-target/wasit2.cmake \
#   (or <prefix>/share/cmake/wasit2.cmake, or <prefix>/share/cmake/<target>.cmake)
#         [-DWASIT2_TARGET=wasm64-wasit2|wasm32-wasit2-mvp|wasm32-wasit2-lime1] ..
#
# Any installed target works: wasm32/wasm64-wasit2 with an optional CPU
# suffix, -mvp (the 2020 WAMR) or -lime1 (Lime1 engines).
#
# From the checkout it needs `wasit2 install` to have put the wasit2 clang
# config files next to clang; the config supplies the sysroot and the linker, so this file only
# names the target and the tools.

cmake_minimum_required(VERSION 3.13)

set(CMAKE_SYSTEM_NAME WASI)
# Platform/WASI.cmake next to this file gives programs the .wasm suffix.
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
# CMake 4 brings its own Platform/WASI.cmake, which wins over the one here
# and gives no suffix; the per-language suffix wins over both.
set(CMAKE_EXECUTABLE_SUFFIX_C ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".wasm")
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

if(NOT DEFINED WASIT2_TARGET)
  set(WASIT2_TARGET "wasm32-wasit2")
endif()
if(WASIT2_TARGET MATCHES "^wasm64")
  set(CMAKE_SYSTEM_PROCESSOR wasm64)
endif()
# Forward the choice to try_compile() projects.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WASIT2_TARGET WASIT2_LLVM_BIN)

if(NOT DEFINED WASIT2_LLVM_BIN)
  set(WASIT2_LLVM_BIN "/usr/lib/llvm-22/bin")
endif()

# In a `wasit2 install --prefix` tree (this file in share/cmake/), use the
# tree's <target>-clang programs: they bring their own config and keep
# clang's `--target=wasm32-wasi is deprecated` driver warning away.
get_filename_component(_wasit2_bin "${CMAKE_CURRENT_LIST_DIR}/../../bin" ABSOLUTE)
if(EXISTS "${_wasit2_bin}/${WASIT2_TARGET}-clang")
  set(CMAKE_C_COMPILER "${_wasit2_bin}/${WASIT2_TARGET}-clang")
  set(CMAKE_CXX_COMPILER "${_wasit2_bin}/${WASIT2_TARGET}-clang++")
  set(CMAKE_ASM_COMPILER "${_wasit2_bin}/${WASIT2_TARGET}-clang")
else()
  set(CMAKE_C_COMPILER "${WASIT2_LLVM_BIN}/clang")
  set(CMAKE_CXX_COMPILER "${WASIT2_LLVM_BIN}/clang++")
  set(CMAKE_ASM_COMPILER "${WASIT2_LLVM_BIN}/clang")
endif()
set(CMAKE_AR "${WASIT2_LLVM_BIN}/llvm-ar" CACHE FILEPATH "archiver")
set(CMAKE_RANLIB "${WASIT2_LLVM_BIN}/llvm-ranlib" CACHE FILEPATH "ranlib")
set(CMAKE_C_COMPILER_TARGET "${WASIT2_TARGET}")
set(CMAKE_CXX_COMPILER_TARGET "${WASIT2_TARGET}")
set(CMAKE_ASM_COMPILER_TARGET "${WASIT2_TARGET}")

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Look for libraries and headers in the target environment only.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

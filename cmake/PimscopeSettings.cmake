# Compile settings shared by every Pimscope target, carried by the INTERFACE target pimscope_settings.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

add_library(pimscope_settings INTERFACE)
target_compile_definitions(pimscope_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_NO_CAST_FROM_BYTEARRAY
    QT_STRICT_ITERATORS
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    PIMSCOPE_VERSION="${PROJECT_VERSION}")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(pimscope_settings INTERFACE -Wall -Wextra -Wpedantic
        -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
        $<$<BOOL:${PIMSCOPE_WERROR}>:-Werror>)
endif()
# A unity build (the release and asan presets) includes each .cpp into one file, where gcc takes a test class whose
# member's type is in the file's anonymous namespace for a header's (-Wsubobject-linkage): true of a header, not of
# these files, which are compiled one at a time in the dev preset.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(pimscope_settings INTERFACE -Wno-subobject-linkage)
endif()

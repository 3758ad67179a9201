# Every dependency comes from a Debian 12 package (see the Makefile's PACKAGES).
find_package(Threads REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)        # target: yaml-cpp (0.7 has no namespace)
find_package(date CONFIG REQUIRED)            # date::date-tz (IANA zones from /usr/share/zoneinfo)
find_package(nlohmann_json CONFIG REQUIRED)   # nlohmann_json::nlohmann_json
find_package(CLI11 CONFIG REQUIRED)           # CLI11::CLI11
find_package(fmt CONFIG REQUIRED)             # fmt::fmt

# jemalloc for the server and benchmarks: the engine allocates many small objects per command
# and glibc's malloc costs ~20% of throughput there (bench/RESULTS.md). Not with sanitizers,
# which bring their own allocator.
find_library(JEMALLOC_LIBRARY jemalloc)
function(vocflow_use_jemalloc target)
  if(JEMALLOC_LIBRARY AND NOT VOCFLOW_SANITIZE)
    target_link_libraries(${target} PRIVATE ${JEMALLOC_LIBRARY})
  endif()
endfunction()

# Every dependency comes from a Debian 12 package (see scripts/setup).
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core pull)
find_package(civetweb CONFIG REQUIRED)  # the HTTP server (server/); targets civetweb::civetweb
find_package(SQLite3 REQUIRED)
find_package(Catch2 2 REQUIRED)
include(Catch)
# sd_notify (READY/STOPPING/WATCHDOG under systemd's Type=notify), from libsystemd-dev.
find_package(PkgConfig REQUIRED)
pkg_check_modules(libsystemd REQUIRED IMPORTED_TARGET libsystemd)

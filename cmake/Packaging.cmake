# The Debian package (`cpack -G DEB` in the build directory, or the `package` target): the
# binary in /usr/bin, the systemd unit, the config in /etc/mcpwatch as a conffile (dpkg keeps
# local edits on upgrade), and the docs. Depends is computed by dpkg-shlibdeps from what the
# binary links, so it names Debian 12's libraries at the versions we built against.
install(TARGETS mcpwatch RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/mcpwatch.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/mcpwatch.yaml DESTINATION /etc/mcpwatch)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/mcpwatch)
install(FILES ${PROJECT_SOURCE_DIR}/examples/mcpwatch.yaml DESTINATION share/doc/mcpwatch/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mcpwatch)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Seed c878f744 maintainers <maintainers@users.noreply.b-seed-c878f744.example>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mcpwatch_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "external uptime prober and persistence-failure detector for MCP servers")
# The long description under the summary (CPack indents it and turns the empty line into " .").
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "mcpwatch probes Model Context Protocol servers from the outside, as a client
would: it connects, initializes, lists the tools and optionally calls one, then
classifies every failure (refused, TLS, auth, timeout, protocol, tool error, ...).
Runs are kept in SQLite; Prometheus metrics, a JSON API, a status page and
alerts (webhook, Alertmanager, PagerDuty, Slack) are served from them.

This package installs the daemon as the systemd service mcpwatch.service
(Type=notify, a dynamic user, hardened), configured in /etc/mcpwatch.")
include(CPack)

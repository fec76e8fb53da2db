# Shared by the test command and the benchmarks. Source it from the repository root.

command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"

# A loopback port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The release build every benchmark measures; sets BIN to the binary.
build_release() {
  echo "==> Building release"
  swift build -c release --product leadbridge 2>&1 | tail -n 1
  BIN=$PWD/.build/release/leadbridge
}

# Installs Debian packages when a tool is missing: root only (as on CI); anyone else is told
# the command to run. Usage: apt_install WHAT PACKAGE...
apt_install() {
  local what=$1; shift
  echo "Installing $what with apt-get"
  if [ "$(id -u)" -ne 0 ]; then
    echo "$what is not installed and this is not root: run 'sudo apt-get install $*' first." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

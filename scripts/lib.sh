# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the project's scripts. Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${FSDAX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fsdax-pin}
# BASE selects the kernel: 6.12 (the LTS, default) or mainline (the newest
# linux-source Debian's archive serves, base/VERSION-mainline). Each has its
# own series, pin and build directory (trees, initramfs, VM logs); they share
# the base git cache and ccache.
BASE=${BASE:-6.12}
case $BASE in
6.12)	BASE_FILE=$TOP/base/VERSION
	BUILD=${FSDAX_BUILD:-$TOP/build}
	SERIES=$TOP/series ;;
mainline)
	BASE_FILE=$TOP/base/VERSION-mainline
	BUILD=${FSDAX_BUILD:-$TOP/build}/mainline
	SERIES=$TOP/series-mainline ;;
*)	printf 'error: BASE=%s: use 6.12 or mainline\n' "$BASE" >&2; exit 1 ;;
esac
KTREE=$BUILD/linux		# patched tree (base + series), built in place
KBASE=$BUILD/linux-base		# unpatched tree, for benchmarks and comparisons
export BASE
BASE_PKG=$(sed -n 's/^package=//p' "$BASE_FILE")
BASE_PIN=$(sed -n 's/^version=//p' "$BASE_FILE")
BASE_SUITE=$(sed -n 's/^suite=//p' "$BASE_FILE")	# empty: the host's own suites
BASE_GIT=$CACHE/base.git

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,time_macros
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=fsdax-pin
export KBUILD_BUILD_HOST=builder
export KBUILD_BUILD_VERSION=1

T0=${T0:-$(date +%s)}
export T0

# Progress line: "[  12s] phase: message" on stderr.
say() { printf '[%4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Record how long a phase took (seconds since START) in $FSDAX_TIMES, when
# set (scripts/fresh-machine adds them up): "PHASE SECONDS" per line.
timing() {	# timing PHASE START
	[ -n "${FSDAX_TIMES:-}" ] || return 0
	echo "$1 $(($(date +%s) - $2))" >>"$FSDAX_TIMES"
}

# Install Debian packages that are missing (by package name).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "apt: installing ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
	local t=$(date +%s)
	if [ -z "$(find /var/lib/apt/lists -name '*Packages*' -newermt '-1 day' 2>/dev/null | head -1)" ]; then
		apt-get update -qq >/dev/null || die "apt-get update failed"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
	timing apt-installs "$t"
}

# apt_sources ARRAY VAR WHO: the host's apt source files (one-line .list or
# deb822 .sources) into the array ARRAY, and into VAR the archive of the
# first Debian suite "bookworm" in them (the archive debootstrap takes).
# Dies, naming WHO, when there is none: never a host name of our own.
apt_sources() {
	local -n files_=$1 uri_=$2
	local f
	files_=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files_+=("$f")
	done
	[ ${#files_[@]} -gt 0 ] || die "$3: the host has no apt sources"
	uri_=$(awk '
		/^[ \t]*deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) break
			if ($i ~ /\]$/) i++
			if ($(i + 1) == "bookworm") { print $i; exit } }
		/^Types:/ { uri = ""; suites = "" }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suites = 1 }
		/^[ \t]*$/ { if (uri != "" && suites) { print uri; exit } uri = ""; suites = "" }
		END { if (uri != "" && suites) print uri }' "${files_[@]}" | head -n1)
	[ -n "$uri_" ] || die "$3: no 'bookworm' suite in ${files_[*]}"
}

# Version of the base package that is installed (empty if none, also when
# dpkg knows the package only as removed or half-installed). Never fails:
# callers run under set -e.
base_installed_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$BASE_PKG" 2>/dev/null |
		sed -n 's/^ii  *//p' || true
}

# Tag naming the base commit for a package version.
base_tag() { echo "base-$(echo "$1" | tr '~:' '__')"; }

# rm_build_dir DIR: remove a build directory a killed run may have left with
# mounts below it (proc, sys, dev bound from the host): unmount them first,
# and never remove through a mount.
rm_build_dir() {
	{ findmnt -rn -o TARGET | grep -F "$1/" || true; } | sort -r | xargs -r -n1 umount -l
	rm -rf --one-file-system "$1"
}

# Run a long command quietly, showing a progress line every 30 s; the
# full output goes to LOG and its tail is shown on failure.
run_logged() {
	local log=$1 what=$2; shift 2
	local start=$(date +%s) last pid rc
	last=$start
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		if kill -0 $pid 2>/dev/null && [ $(($(date +%s) - last)) -ge 30 ]; then
			last=$(date +%s)
			say "$what: running, $((last - start))s ($(tail -n1 "$log" | cut -c1-60))"
		fi
	done
	wait $pid; rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 40 "$log" >&2
		say "$what: FAILED after $(($(date +%s) - start))s (log: $log)"
	fi
	return $rc
}

# What a kernel build depends on besides the tree's files: the fragments and
# the tree's HEAD. build-kernel stores it next to the bzImage; vm-run compares.
build_stamp() {	# build_stamp TREE FRAGMENT...
	local tree=$1; shift
	{ cat "$@"; git -C "$tree" rev-parse HEAD 2>/dev/null; } | sha256sum | cut -c1-16
}

# Is TREE's bzImage up to date: built by build-kernel from the same fragments
# and HEAD, and no source, Kconfig or Makefile newer than it (tools/testing,
# where the selftest builds write, is not part of the kernel)?
kernel_fresh() {	# kernel_fresh TREE FRAGMENT...
	local tree=$1 k=$1/arch/x86/boot/bzImage
	[ -f "$k" ] && [ "$(cat "$tree/.fsdax-build-stamp" 2>/dev/null)" = "$(build_stamp "$@")" ] &&
		! [ "$tree/.config" -nt "$k" ] &&
		[ -z "$(find "$tree" \( -path "$tree/.git" -o -path "$tree/tools/testing" \) -prune -o -newer "$k" \( -name '*.[ch]' -o -name 'Kconfig*' -o -name Makefile \) -print -quit)" ]
}

# kernel_frags ARRAY VARIANT: the configuration fragments of the test kernel
# VARIANT (--patched, --base, --debug) of $BASE, merged on tinyconfig by
# scripts/build-kernel: qemu.config, mainline.config but for 6.12, and
# debug.config for --debug.
kernel_frags() {
	local -n k_=$1
	k_=("$TOP/config/qemu.config")
	[ "$BASE" = 6.12 ] || k_+=("$TOP/config/mainline.config")
	[ "$2" != --debug ] || k_+=("$TOP/config/debug.config")
}

# apt_private ARRAY DIR LINE: a private apt configuration under DIR whose
# only source is LINE (lists and archives under DIR too: the host's apt is
# not changed), and into ARRAY the apt-get options that use it.
apt_private() {
	local -n o_=$1
	mkdir -p "$2/lists/partial" "$2/archives/partial"
	echo "$3" >"$2/sources.list"
	o_=(-o "Dir::Etc::SourceList=$2/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$2/lists" -o "Dir::Cache::Archives=$2/archives"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Dir::State::status=/dev/null
		-o APT::Sandbox::User=root)
}

# apt_download_orig SUITE PKG VERSION ORIG SHA256 DIR: the path of ORIG, the
# upstream tarball of source package PKG=VERSION of SUITE of the archive the
# host already uses, kept in $CACHE/DIR once checked. apt, through a private
# configuration with SUITE's deb-src (the host's apt is not changed), names
# it with its SHA256 from the signed Sources index and downloads that file
# alone (apt-get source --download-only would fetch the .dsc too, which not
# every mirror serves), checking that hash; it must also be SHA256. Dies
# when it cannot.
apt_download_orig() {
	local suite=$1 pkg=$2 ver=$3 orig=$4 sha=$5 tarball=$CACHE/$6/$4 adir _files uri line url hash
	if echo "$sha  $tarball" | sha256sum -c --status 2>/dev/null; then
		echo "$tarball"
		return 0
	fi
	need_pkgs debian-archive-keyring
	adir=$CACHE/apt-$suite-src
	apt_sources _files uri "$pkg"
	mkdir -p "$(dirname "$tarball")"
	local aopts
	apt_private aopts "$adir" "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	say "apt: $pkg $ver source from $uri $suite"
	apt-get "${aopts[@]}" update -qq >/dev/null || die "apt-get update of $suite (deb-src) failed"
	line=$(cd "$adir" && apt-get "${aopts[@]}" source --print-uris -qq "$pkg=$ver" |
		awk -v f="$orig" '$2 == f') || true
	[ -n "$line" ] || die "$pkg=$ver has no $orig in $uri $suite"
	read -r url _ _ hash <<<"$line"
	url=${url//\'/}
	[ "$hash" = "SHA256:$sha" ] ||
		die "$suite's Sources give $orig as $hash, the pinned one is SHA256:$sha"
	rm -f "$tarball.tmp"
	/usr/lib/apt/apt-helper "${aopts[@]}" download-file "$url" "$tarball.tmp" "$hash" >/dev/null ||
		die "downloading $url failed"
	echo "$sha  $tarball.tmp" | sha256sum -c --status ||
		die "$url: SHA256 $(sha256sum "$tarball.tmp" | cut -c1-64) is not the pinned $sha"
	mv "$tarball.tmp" "$tarball"
	echo "$tarball"
}

# apt_download_pinned SUITE PKG VERSION SHA256: the path of Debian package
# PKG=VERSION (architecture amd64 or all) from SUITE of the archive the host
# already uses, downloaded into the cache through a private apt
# configuration (its own sources, lists and archives: the host's apt is not
# changed) and checked against SHA256. Dies when it cannot.
apt_download_pinned() {
	local suite=$1 pkg=$2 ver=$3 sha=$4 adir deb a _files uri
	[ -n "$sha" ] || die "$pkg $ver: no SHA256 to check it against"
	need_pkgs debian-archive-keyring
	apt_sources _files uri "$pkg"
	adir=$CACHE/apt-$suite
	for a in amd64 all; do
		deb=$adir/archives/${pkg}_${ver//:/%3a}_$a.deb
		echo "$sha  $deb" | sha256sum -c --status 2>/dev/null && { echo "$deb"; return 0; }
	done
	local aopts
	apt_private aopts "$adir" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	say "apt: downloading $pkg $ver from $uri $suite"
	apt-get "${aopts[@]}" update -qq >/dev/null || die "apt-get update of $suite failed"
	(cd "$adir/archives" && apt-get "${aopts[@]}" download -qq "$pkg=$ver" >/dev/null) ||
		die "$pkg=$ver is not in $uri $suite"
	for a in amd64 all; do
		deb=$adir/archives/${pkg}_${ver//:/%3a}_$a.deb
		[ -f "$deb" ] || continue
		echo "$sha  $deb" | sha256sum -c --status ||
			die "$deb: SHA256 $(sha256sum "$deb" | cut -c1-64) is not the pinned $sha"
		echo "$deb"
		return 0
	done
	die "$pkg=$ver: downloaded, but no ${pkg}_${ver}_{amd64,all}.deb in $adir/archives"
}

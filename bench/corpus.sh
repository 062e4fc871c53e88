# Sourced by the bench scripts: sets $gen to ../shared/bench/gen_corpus.py, which sits beside the repository, or two
# levels up from a worktree; GEN_CORPUS overrides. Expects $repo.
gen="${GEN_CORPUS:-}"
if [ -z "$gen" ]; then
  for up in "$repo/../shared" "$repo/../../shared"; do
    [ -f "$up/bench/gen_corpus.py" ] && gen="$up/bench/gen_corpus.py" && break
  done
fi
[ -f "$gen" ] || { echo "gen_corpus.py not found; set GEN_CORPUS" >&2; exit 1; }

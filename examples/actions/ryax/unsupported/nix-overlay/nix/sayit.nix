{ writeShellScriptBin }:
writeShellScriptBin "sayit" ''
  echo "$@"
''

self: super: {
  sayit = super.callPackage ./nix/sayit.nix { };
}
